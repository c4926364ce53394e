import { positiveIntegerVariable } from "../config/positive-integer-variable.ts";

/**
 * How long an on-demand Init may run: 10 s for extension, runtime and function init together
 * (aws-facts §3 "Init limit (on-demand)", AWS's lambda-runtime-environment page). An environment
 * whose Init outlasts it times out (Sandbox.Timedout) and is retired; the sandbox pool counts a
 * cold start not heard of by then as over. Provisioned concurrency has its own, longer limit
 * (max(130 s, function timeout)), which its caller passes in.
 */
export const INIT_LIMIT_MS = 10_000;

/**
 * The on-demand Init limit in force: INIT_LIMIT_MS, or `LAMBDA_SIM_INIT_LIMIT_MS` (whole ms, read
 * at each cold start) where set, so that a test of the timeout need not wait 10 s for it.
 */
export function initLimitMs(): number {
  return positiveIntegerVariable("LAMBDA_SIM_INIT_LIMIT_MS", INIT_LIMIT_MS);
}
