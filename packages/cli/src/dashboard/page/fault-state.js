// Whether a fault (GET /_sim/faults's view) still fires, as the page and `lambda-sim fault` both say it.

/**
 * At service time `now` (ms): `used-up` (its `times` spent, or past its last `nth`: it never fires again, newuser14 F19),
 * `ended` (its window closed), `from` (its window not open yet), `until` (open, closing at `at`),
 * or `active`.
 */
export function faultState(f, now) {
  if (f.times !== undefined && f.times !== null && f.fired >= f.times) return { state: "used-up" };
  // Only the n-th matching invocation(s): spent once the last of them has been matched.
  if (f.nth !== undefined && f.nth !== null && (f.matched ?? 0) >= Math.max(...[f.nth].flat())) return { state: "used-up" };
  const until = f.activeUntil ? Date.parse(f.activeUntil) : undefined;
  if (until !== undefined && until <= now) return { state: "ended" };
  const from = Date.parse(f.activeFrom);
  if (from > now) return { state: "from", at: from };
  return until === undefined ? { state: "active" } : { state: "until", at: until };
}
