import { describe, expect, it } from "vitest";
import { encodeEvent } from "./runtime-channel.ts";
import { invokeHeaders, type RuntimeEvent } from "./runtime-contract.ts";

/** The frame's header as the bootstrap reads it (runtime-channel-client.mjs), and its payload. */
function decode(frame: Buffer): { header: Record<string, string>; body: string } {
  const headerBytes = frame.readUInt32BE(0);
  const bodyBytes = frame.readUInt32BE(4);
  expect(frame.length).toBe(8 + headerBytes + bodyBytes);
  return { header: JSON.parse(frame.subarray(8, 8 + headerBytes).toString("utf8")), body: frame.subarray(8 + headerBytes).toString("utf8") };
}

/** invokeHeaders() as node:http hands them to an HTTP runtime: lower-case names, string values. */
const asHttpRuntimeSees = (event: RuntimeEvent) => Object.fromEntries(Object.entries(invokeHeaders(event)).map(([k, v]) => [k.toLowerCase(), String(v)]));

describe("encodeEvent", () => {
  const base: RuntimeEvent = {
    requestId: "6f8a2c1e-0000-4000-8000-000000000001",
    payload: Buffer.from('{"order":"é 1"}'),
    timeoutMs: 3_000,
    invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:worker:live",
    traceId: "Root=1-00000000-000000000000000000000000;Parent=0000000000000000;Sampled=0",
  };

  it("gives a runtime on the private channel the same invoke headers as one on the Runtime API's HTTP", () => {
    for (const event of [base, { ...base, clientContext: '{"custom":{"k":"\\"quoted\\""}}', cognitoIdentity: '{"cognitoIdentityId":"id","cognitoIdentityPoolId":"pool"}' }]) {
      const { header, body } = decode(encodeEvent(event));
      const expected = asHttpRuntimeSees(event);
      // The deadline is stamped as each is built: milliseconds apart (a second on a loaded machine).
      expect(Math.abs(Number(header["lambda-runtime-deadline-ms"]) - Number(expected["lambda-runtime-deadline-ms"]))).toBeLessThan(1_000);
      expect({ ...header, "lambda-runtime-deadline-ms": "" }).toEqual({ ...expected, "lambda-runtime-deadline-ms": "" });
      expect(body).toBe('{"order":"é 1"}');
    }
  });
});
