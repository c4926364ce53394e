import { describe, expect, it } from "vitest";
import { VirtualClock } from "../clock/virtual-clock.ts";
import { addCoreViews } from "./core-views.ts";
import { EventHub } from "../telemetry/event-hub.ts";
import { Telemetry } from "../telemetry/telemetry.ts";

/** Core's views over empty parts: only what addCoreViews reads. */
function hubAt(ms: number): { hub: EventHub; clock: VirtualClock } {
  const clock = new VirtualClock(ms);
  const telemetry = new Telemetry(clock);
  const hub = new EventHub(telemetry, clock, 0);
  const governor = { accountLimits: () => ({}), inFlight: () => 0, reserved: () => undefined };
  const parts = {
    clock,
    registry: { has: () => false, list: () => [] },
    invoker: { governor, environments: () => [], asyncQueue: { waitingRetries: () => [], stored: () => 0 } },
    mappings: { overview: () => [] },
    faults: { list: () => [] },
  };
  addCoreViews(hub, parts as unknown as Parameters<typeof addCoreViews>[1]);
  return { hub, clock };
}

describe("core's `started` view (newuser14 F6/F11)", () => {
  it("says when this start began (service time) and which start it is, in snapshots only", async () => {
    const { hub, clock } = hubAt(1_000_000);
    await clock.advanceBy(60_000);
    const started = hub.snapshot().views.started as { at: number; id: string };
    expect(started.at).toBe(1_000_000);
    expect(started.id).toMatch(/^[0-9a-f-]{36}$/);
    // The same start answers the same; sampled frames leave it out.
    expect(hub.view("started")).toEqual(started);
    expect(hub.views(true)).not.toHaveProperty("started");
    // Another start (a restart) is another id, whatever its time.
    expect((hubAt(1_000_000).hub.view("started") as { id: string }).id).not.toBe(started.id);
  });
});
