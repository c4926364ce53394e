import { describe, expect, it } from "vitest";
import { DeliveryCounts } from "./delivery-counts.ts";

describe("DeliveryCounts", () => {
  it("counts a delivery retried then delivered, one dead-lettered, one dropped; `retrying` is what waits now", () => {
    const c = new DeliveryCounts();
    c.failed("s", "m1", { retrying: true });
    c.failed("s", "m1", { retrying: true });
    c.failed("s", "m2", { retrying: true });
    expect(c.view("s")).toEqual({ delivered: 0, failed: 3, retrying: 2, deadLettered: 0, dropped: 0 });
    c.delivered("s", "m1");
    c.failed("s", "m2", { retrying: false, deadLettered: true });
    c.failed("s", "m3", { retrying: false });
    c.delivered("s", "m4");
    expect(c.view("s")).toEqual({ delivered: 2, failed: 5, retrying: 0, deadLettered: 1, dropped: 1 });
    // Per key; a key nothing happened to counts nothing.
    expect(c.view("other")).toEqual({ delivered: 0, failed: 0, retrying: 0, deadLettered: 0, dropped: 0 });
  });

  it("settles a retry that was waiting before the simulator restarted without going below zero", () => {
    const c = new DeliveryCounts();
    c.delivered("s", "from-before");
    expect(c.view("s").retrying).toBe(0);
  });
});
