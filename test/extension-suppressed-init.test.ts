import { InvokeCommand } from "@aws-sdk/client-lambda";
import { afterAll, describe, expect, it } from "vitest";
import { createExtensionFunction, extensionTestbed } from "./support/extension-function.ts";

/**
 * The suppressed init with an extension (aws-facts §3: the Init limit covers the extensions' Init
 * too; past it, AWS runs the Init again inside the invocation, within the function's timeout). An
 * extension that takes 1.5 s before its first /event/next on its first start passes a 1 s limit:
 * the Init runs again, and the handler runs once for the invocation (review-si H1: it ran twice).
 */
process.env.LAMBDA_SIM_INIT_LIMIT_MS = "1000";
afterAll(() => {
  delete process.env.LAMBDA_SIM_INIT_LIMIT_MS;
});
const bed = extensionTestbed();

const EXTENSION = `#!/bin/bash
API="http://\${AWS_LAMBDA_RUNTIME_API}/2020-01-01/extension"
ID=$(curl -sS -D - -o /dev/null -X POST "$API/register" -H "Lambda-Extension-Name: $(basename "$0")" -d '{"events":["INVOKE"]}' | grep -i '^Lambda-Extension-Identifier' | tr -d '\\r' | awk '{print $2}')
# Slow on its first start only (a secrets fetch, say): the environment's /tmp outlives the retry.
if [ ! -f /tmp/ext-seen ]; then touch /tmp/ext-seen; sleep 1.5; fi
while true; do curl -sS "$API/event/next" -H "Lambda-Extension-Identifier: $ID" > /dev/null || exit 0; done
`;

const HANDLER = `const fs = require("fs");
exports.handler = async (e, ctx) => {
  fs.appendFileSync("/tmp/calls", ctx.awsRequestId + "\\n");
  return { calls: fs.readFileSync("/tmp/calls", "utf8").trim().split("\\n"), remaining: ctx.getRemainingTimeInMillis() };
};`;

describe("a suppressed init with an extension slow to finish its first Init", () => {
  it("runs the Init again inside the invocation, and the handler once", async () => {
    await createExtensionFunction(bed.lambda, "ext-late", { extensions: { late: EXTENSION }, handler: HANDLER, timeout: 5, variables: {} });
    const invoke = async () => {
      const out = await bed.lambda.send(new InvokeCommand({ FunctionName: "ext-late", LogType: "Tail" }));
      return { out, body: JSON.parse(Buffer.from(out.Payload!).toString()) as { calls: string[]; remaining: number }, log: Buffer.from(out.LogResult!, "base64").toString() };
    };
    const first = await invoke();
    expect(first.out.FunctionError).toBeUndefined();
    // One run of the handler: the timed-out attempt's event was not handed to the retried runtime too.
    expect(first.body.calls).toEqual([first.out.$metadata.requestId]);
    expect(first.log).toMatch(/^INIT_REPORT Init Duration: \d{3,4}\.\d\d ms\tPhase: init\tStatus: timeout$/m);
    // The extension registered in each Init.
    expect(first.log.match(/^EXTENSION\tName: late/gm)).toHaveLength(2);
    expect(first.log.match(/^START RequestId/gm)).toHaveLength(1);
    // The retried Init's time (not the first Init's second) comes out of the 5 s timeout.
    expect(first.body.remaining).toSatisfy((ms: number) => ms > 3_500 && ms < 5_000);

  }, 30_000);
});
