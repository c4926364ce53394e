import { availableParallelism } from "node:os";
import { describe, expect, it } from "vitest";
import { until } from "../../../../test/support/until.ts";
import { BusyPoll } from "./busy-poll.ts";
import { SpareCpu } from "./spare-cpu.ts";

/** A machine where other processes use `othersCores` all the time. */
function machine(othersCores: number): SpareCpu {
  let busy = 0;
  let last = performance.now();
  return new SpareCpu({
    cores: 2,
    ownMs: () => 0,
    machineBusyMs: () => {
      const now = performance.now();
      busy += (now - last) * othersCores;
      last = now;
      return busy;
    },
  });
}

// A window of 1 ms, so that windows running out take the test a few ms.
const WINDOW_US = 1_000;

async function windowRunsOut(poll: BusyPoll): Promise<void> {
  poll.expect();
  expect(poll.polling).toBe(true);
  await until(() => !poll.polling, 1_000);
}

// BusyPoll never polls on a single CPU (nothing is left for the runtime it waits for).
describe.skipIf(availableParallelism() < 2)("BusyPoll (skipped on a single CPU, where it never polls)", () => {
  it("keeps polling while what it waits for comes within the window", async () => {
    const poll = new BusyPoll(machine(0.5));
    poll.configure(WINDOW_US);
    for (let i = 0; i < 20; i++) {
      poll.expect();
      // The next writes come while the loop still polls: those windows paid.
      for (let j = 0; j < 3; j++) poll.expect();
      expect(poll.polling).toBe(true);
      // The last one runs out, as at the end of each burst: one window in four.
      await until(() => !poll.polling, 1_000);
    }
    poll.expect();
    expect(poll.polling).toBe(true);
  });

  it("rests once most windows run out with nothing arriving, then tries again", async () => {
    // The rest is 50 ms of wall time from the sixth window's end: a check that a loaded machine
    // delays past it says nothing, and the scenario is run again (CI saw one land after it).
    let poll: BusyPoll;
    let checked: { late: boolean; polling: boolean };
    let attempts = 0;
    do {
      poll = new BusyPoll(machine(0.5));
      poll.configure(WINDOW_US);
      for (let i = 0; i < 5; i++) await windowRunsOut(poll);
      poll.expect();
      const lastWindow = performance.now();
      expect(poll.polling).toBe(true);
      await until(() => !poll.polling, 1_000);
      poll.expect();
      checked = { late: performance.now() - lastWindow > 40, polling: poll.polling };
    } while (checked.late && ++attempts < 5);
    expect(checked.late).toBe(false);
    expect(checked.polling).toBe(false);
    // The first rest is 50 ms; afterwards the loop polls again.
    await until(() => {
      poll.expect();
      return poll.polling;
    }, 2_000);
  });

  it("does not poll while other processes leave less than a core's worth of spare CPU", async () => {
    const poll = new BusyPoll(machine(1.8));
    poll.configure(WINDOW_US);
    poll.expect();
    expect(poll.polling).toBe(true);
    // The first reading only starts the interval; the check 250 ms later sees the machine full,
    // and from then on a write starts no window. (Three writes a turn: two of its windows pay, so
    // what stops the polling is the machine, not the rest after wasted windows.)
    await until(() => {
      for (let i = 0; i < 3; i++) poll.expect();
      return !poll.polling;
    }, 2_000);
  });

  it("does not poll when turned off", () => {
    const poll = new BusyPoll(machine(0.5));
    poll.configure(0);
    poll.expect();
    expect(poll.polling).toBe(false);
  });
});
