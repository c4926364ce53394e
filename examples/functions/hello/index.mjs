// A small handler that shows what lambda-sim reproduces: cold and warm starts (the module-level
// counter survives between invocations of one environment) and /tmp reuse.
import { appendFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";

let invocationsInThisEnvironment = 0;

export const handler = async (event, context) => {
  invocationsInThisEnvironment += 1;
  // tmpdir() is /tmp, the environment's own (or TMPDIR where private mounts are not permitted).
  appendFileSync(`${tmpdir()}/visits`, "x");
  const visits = readFileSync(`${tmpdir()}/visits`, "utf8").length;
  console.log(`invocation ${invocationsInThisEnvironment} in this environment, ${context.getRemainingTimeInMillis()} ms left`);
  return {
    message: `${process.env.GREETING}, ${event.name ?? "world"}!`,
    coldStart: invocationsInThisEnvironment === 1,
    invocationsInThisEnvironment,
    visitsRecordedInTmp: visits,
    requestId: context.awsRequestId,
  };
};
