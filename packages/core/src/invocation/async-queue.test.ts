import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../clock/virtual-clock.ts";
import { CORE_MIGRATIONS } from "../simulator.ts";
import { Store } from "../store/store.ts";
import { Telemetry } from "../telemetry/telemetry.ts";
import { AsyncQueue, type AsyncEvent } from "./async-queue.ts";
import { AwsError } from "../errors/aws-error.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("AsyncQueue durability", () => {
  it("runs an accepted event after a restart if it had not run before", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-sim-async-"));
    dirs.push(dir);
    const clock = new VirtualClock(5_000);
    const first = Store.open(dir, CORE_MIGRATIONS);
    // Accepted (stored) but the process "dies" before any runner picks it up.
    new AsyncQueue(first, clock, new Telemetry(clock)).enqueue({ requestId: "req-1", functionName: "f", payload: Buffer.from('{"n":1}') });
    first.close();

    const second = Store.open(dir, CORE_MIGRATIONS);
    const ran: AsyncEvent[] = [];
    const queue = new AsyncQueue(second, clock, new Telemetry(clock));
    queue.start(async (e) => void ran.push(e));
    await queue.onIdle();
    expect(ran).toEqual([{ requestId: "req-1", functionName: "f", qualifier: undefined, payload: Buffer.from('{"n":1}'), enqueuedAt: 5_000 }]);
    expect(second.db.prepare("SELECT COUNT(*) AS n FROM async_events").get()).toEqual({ n: 0 });
    second.close();
  });
});

describe("AsyncQueue throttles", () => {
  it("keeps a throttled event and retries it after 1 s, 2 s, 4 s of service time", async () => {
    const clock = new VirtualClock(0);
    const store = Store.open(undefined, CORE_MIGRATIONS);
    const queue = new AsyncQueue(store, clock, new Telemetry(clock));
    const attempts: number[] = [];
    queue.start(async () => {
      attempts.push(clock.now());
      if (attempts.length < 4) throw new AwsError("TooManyRequestsException", 429, "Rate Exceeded.");
    });
    queue.enqueue({ requestId: "r", functionName: "f", payload: Buffer.from("{}") });
    await queue.onIdle();
    for (let i = 0; i < 3; i++) {
      await clock.runNext();
      await queue.onIdle();
    }
    expect(attempts).toEqual([0, 1_000, 3_000, 7_000]);
    expect(store.db.prepare("SELECT COUNT(*) AS n FROM async_events").get()).toEqual({ n: 0 });
    store.close();
  });
});
