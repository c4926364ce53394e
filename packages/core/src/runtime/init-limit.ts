/**
 * How long an on-demand Init may run: 10 s for extension, runtime and function init together
 * (aws-facts §3 "Init limit (on-demand)", AWS's lambda-runtime-environment page). An environment
 * whose Init outlasts it times out (Sandbox.Timedout) and is retired; the sandbox pool counts a
 * cold start not heard of by then as over. Provisioned concurrency has its own, longer limit
 * (max(130 s, function timeout)), which its caller passes in.
 */
export const INIT_LIMIT_MS = 10_000;
