import { mkdtempSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvokeWithResponseStreamCommand, LambdaClient, type InvokeWithResponseStreamResponseEvent } from "@aws-sdk/client-lambda";
import { startLambdaSimForFile, type LambdaSimProcess } from "./support/lambda-sim-process.ts";

/**
 * A streamed response past the cap, as a client sees it. AWS's cap is 200 MB (aws-facts §1.3);
 * `LAMBDA_SIM_STREAM_RESPONSE_LIMIT` lowers it, here to 1 MiB so that 2 MiB is past it. It is read
 * when the simulator loads, so the simulator runs in its own process, as users start it.
 */
const LIMIT = 1024 * 1024;
const codeDir = fileURLToPath(new URL("./fixtures/functions/node-streaming/", import.meta.url));

let sim: LambdaSimProcess;
let lambda: LambdaClient;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "stream-limit-"));
  writeFileSync(
    join(dir, "lambda-sim.yaml"),
    `functions:\n  big: { runtime: nodejs24.x, handler: index.big, codeUri: ${JSON.stringify(codeDir)}, timeout: 30, functionUrl: { authType: NONE, invokeMode: RESPONSE_STREAM } }\n`,
  );
  sim = await startLambdaSimForFile(["--config", join(dir, "lambda-sim.yaml"), "--in-memory"], { LAMBDA_SIM_STREAM_RESPONSE_LIMIT: String(LIMIT) });
  lambda = new LambdaClient({ endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
}, 60_000);
afterAll(() => lambda?.destroy());

describe("a streamed response past LAMBDA_SIM_STREAM_RESPONSE_LIMIT", () => {
  it("InvokeWithResponseStream: the chunks up to the cap, then InvokeComplete with ErrorCode Function.ResponseSizeTooLarge", async () => {
    const out = await lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: "big", Payload: Buffer.from(JSON.stringify({ bytes: 2 * LIMIT })) }));
    expect(out.StatusCode).toBe(200);
    const events: InvokeWithResponseStreamResponseEvent[] = [];
    for await (const e of out.EventStream!) events.push(e);
    const received = events.reduce((n, e) => n + (e.PayloadChunk?.Payload?.length ?? 0), 0);
    // The cap's bytes went out as the function wrote them; nothing past it did.
    expect(received).toBeLessThanOrEqual(LIMIT);
    expect(received).toBeGreaterThan(0);
    // InvokeWithResponseStreamCompleteEvent (botocore lambda model): ErrorCode, ErrorDetails, LogResult.
    expect(events.at(-1)?.InvokeComplete).toEqual({
      ErrorCode: "Function.ResponseSizeTooLarge",
      ErrorDetails: `Response payload size exceeded maximum allowed payload size (${LIMIT} bytes).`,
    });
  });

  it("a RESPONSE_STREAM Function URL: the answer is cut off, never ended as if complete", async () => {
    const state = (await (await fetch(`${sim.endpoint}/_sim/state`)).json()) as { functionUrls: { pathUrl: string }[] };
    const url = state.functionUrls[0]!.pathUrl;
    const res = await rawPost(url, JSON.stringify({ bytes: 2 * LIMIT }));
    expect(res.status).toBe(200);
    expect(res.bytes).toBeLessThanOrEqual(LIMIT);
    expect(res.complete).toBe(false);
    // A fetch (undici) reader raises on it, as on any truncated response.
    await expect(fetch(url, { method: "POST", body: JSON.stringify({ bytes: 2 * LIMIT }) }).then((r) => r.arrayBuffer())).rejects.toThrow();
  });
});

/** A POST with node:http: status, the bytes received, and whether the response arrived complete (its last chunk). */
function rawPost(url: string, body: string): Promise<{ status: number; bytes: number; complete: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { "content-type": "application/json" } }, (res) => {
      let bytes = 0;
      res.on("data", (c: Buffer) => (bytes += c.length));
      // An incomplete response errors ("aborted") before it closes: what was received is kept.
      res.on("error", () => {});
      res.on("close", () => resolve({ status: res.statusCode!, bytes, complete: res.complete }));
    });
    req.on("error", reject);
    req.end(body);
  });
}
