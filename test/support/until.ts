/**
 * Polls `check` every 25 ms of wall time until it holds, failing after `ms`. For what a test waits
 * on from outside the simulator (a message arriving, a log line); service time is never slept.
 */
export async function until(check: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms: ${check.toString()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
