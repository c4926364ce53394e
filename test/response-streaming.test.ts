import { createServer, get, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvokeCommand, InvokeWithResponseStreamCommand, LambdaClient, ResourceNotFoundException, type InvokeWithResponseStreamResponseEvent } from "@aws-sdk/client-lambda";
import { until } from "./support/until.ts";
import { startTestSimulator, type TestSimulator } from "@lambda-sim/core/testing";
import { functionUrlsSource } from "@lambda-sim/sources";
import type { FunctionDefinition } from "@lambda-sim/core";

const codeDir = fileURLToPath(new URL("./fixtures/functions/node-streaming/", import.meta.url));
const fn = (functionName: string, handler: string, extra: Partial<FunctionDefinition> = {}): FunctionDefinition => ({ functionName, runtime: "nodejs24.x", handler: `index.${handler}`, codeDir, timeout: 10, ...extra });

let t: TestSimulator;
let lambda: LambdaClient;
/** The gate the `gated` handler waits on: its request is held until the test releases it. */
let gate: Server;
let held: ServerResponse | undefined;
let gateUrl: string;

beforeAll(async () => {
  gate = createServer((_req, res) => (held = res));
  await new Promise<void>((r) => gate.listen(0, "127.0.0.1", r));
  gateUrl = `http://127.0.0.1:${(gate.address() as AddressInfo).port}/`;
  t = await startTestSimulator({
    functions: [
      fn("gated", "gated", { functionUrl: { authType: "NONE", invokeMode: "RESPONSE_STREAM" } }),
      fn("chunks", "chunks"),
      fn("failing", "failing", { functionUrl: { authType: "NONE", invokeMode: "RESPONSE_STREAM" } }),
      fn("buffered", "buffered", { functionUrl: { authType: "NONE", invokeMode: "RESPONSE_STREAM" } }),
      fn("big", "big", { timeout: 30 }),
      fn("node22", "chunks", { runtime: "nodejs22.x" }),
      fn("http", "http", { functionUrl: { authType: "NONE", invokeMode: "RESPONSE_STREAM", cors: { AllowOrigins: ["*"] } } }),
    ],
    sources: [functionUrlsSource],
  });
  lambda = new LambdaClient(t.clientConfig);
});

afterAll(async () => {
  lambda?.destroy();
  await t?.close();
  gate?.closeAllConnections();
  gate?.close();
});

async function stream(name: string, payload: unknown, extra: { LogType?: "Tail" } = {}) {
  const out = await lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(payload)), ...extra }));
  const events: InvokeWithResponseStreamResponseEvent[] = [];
  for await (const e of out.EventStream!) events.push(e);
  return { out, events, text: events.map((e) => Buffer.from(e.PayloadChunk?.Payload ?? []).toString("utf8")).join("") };
}

describe("InvokeWithResponseStream", () => {
  it("delivers each chunk as the handler writes it, then InvokeComplete", async () => {
    const { out, events } = await stream("chunks", { a: "Hello", b: "serverless", c: "world" });
    expect(out.StatusCode).toBe(200);
    expect(out.ExecutedVersion).toBe("$LATEST");
    expect(events.map((e) => (e.PayloadChunk ? Buffer.from(e.PayloadChunk.Payload!).toString() : e.InvokeComplete))).toEqual(["Hello", "serverless", "world", {}]);
  });

  it("the first chunk reaches the client before the handler finishes", async () => {
    held = undefined;
    const out = await lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: "gated", Payload: Buffer.from(JSON.stringify({ gate: gateUrl })) }));
    const it = out.EventStream![Symbol.asyncIterator]();
    const first = await it.next();
    // The handler is still blocked on the gate: only now may it go on.
    expect(Buffer.from(first.value.PayloadChunk.Payload).toString()).toBe("first;");
    // The handler cannot have finished: it waits on the gate, answered only now.
    await until(() => held !== undefined);
    held!.end("go");
    const rest: InvokeWithResponseStreamResponseEvent[] = [];
    for (let r = await it.next(); !r.done; r = await it.next()) rest.push(r.value);
    expect(Buffer.from(rest[0]!.PayloadChunk!.Payload!).toString()).toBe("second");
    expect(rest.at(-1)?.InvokeComplete).toEqual({});
  });

  it("an error after the first chunk ends the stream with ErrorCode and ErrorDetails", async () => {
    const { events, text } = await stream("failing", {});
    expect(text).toBe("partial");
    expect(events.at(-1)?.InvokeComplete).toMatchObject({ ErrorCode: "TypeError", ErrorDetails: "stream broke" });
  });

  it("a buffered function's result arrives as one chunk; LogType Tail adds LogResult", async () => {
    const { events, text } = await stream("buffered", { x: 1 }, { LogType: "Tail" });
    expect(JSON.parse(text)).toEqual({ got: { x: 1 } });
    const log = Buffer.from(events.at(-1)!.InvokeComplete!.LogResult!, "base64").toString();
    expect(log).toMatch(/REPORT RequestId:/);
  });

  it("streams from nodejs22.x too", async () => {
    expect((await stream("node22", { a: "x", b: "y" })).text).toBe("xy");
  });

  it("Invoke on a streaming function buffers the streamed bytes", async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: "chunks", Payload: Buffer.from(JSON.stringify({ a: "1", b: "2" })) }));
    expect(Buffer.from(out.Payload!).toString()).toBe("12");
    expect(out.FunctionError).toBeUndefined();
  });

  it("passes more than the 6 MB buffered limit through", async () => {
    const { text, events } = await stream("big", { bytes: 8 * 1024 * 1024 });
    expect(text.length).toBe(8 * 1024 * 1024);
    expect(events.at(-1)?.InvokeComplete).toEqual({});
  });

  it("an unknown function is a ResourceNotFoundException", async () => {
    await expect(lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: "nope" }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

/** The path-form address of a function's URL declared in the config. */
function urlOf(name: string): string {
  const u = t.sim.functionUrls.list(name)[0]!;
  return `${t.endpoint}/_aws/lambda-url/${u.urlId}`;
}

describe("a RESPONSE_STREAM Function URL", () => {
  it("takes status, headers and cookies from HttpResponseStream.from's prelude", async () => {
    const res = await fetch(`${urlOf("http")}/some/where`, { headers: { origin: "https://app.example" } });
    expect(res.status).toBe(201);
    expect(res.headers.get("x-custom")).toBe("yes");
    expect(res.headers.get("content-type")).toBe("text/plain");
    expect(res.headers.getSetCookie()).toEqual(["a=1", "b=2; Path=/"]);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("transfer-encoding")).toBe("chunked");
    expect(await res.text()).toBe("path=/some/where;done");
  });

  it("the first chunk reaches the client before the handler finishes", async () => {
    held = undefined;
    const res = await fetch(`${urlOf("gated")}/`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ gate: gateUrl }) });
    expect([res.status, res.headers.get("content-type")]).toEqual([200, "text/plain"]);
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(Buffer.from(first.value!).toString()).toBe("first;");
    // The handler is still blocked on the gate: only now may it go on.
    await until(() => held !== undefined);
    held!.end("go");
    let rest = "";
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += Buffer.from(r.value).toString();
    expect(rest).toBe("second");
  });

  it("a buffered function behind a streaming URL is read as payload 2.0", async () => {
    const res = await fetch(`${urlOf("buffered")}/x`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { got: { rawPath: string } }).got.rawPath).toBe("/x");
  });

  it("a failure after the first bytes cuts the body short: the connection closes without the last chunk, so clients see an incomplete response (walkthrough F9)", async () => {
    const cut = await rawGet(`${urlOf("failing")}/`);
    expect(cut).toEqual({ status: 200, body: "partial", complete: false });
    // fetch (undici) raises on it, as on any truncated response.
    await expect(fetch(`${urlOf("failing")}/`).then((r) => r.text())).rejects.toThrow();
  });

  it("LAMBDA_SIM_URL_STREAM_FAILURE=end ends such a response as if complete instead", async () => {
    process.env.LAMBDA_SIM_URL_STREAM_FAILURE = "end";
    try {
      expect(await rawGet(`${urlOf("failing")}/`)).toEqual({ status: 200, body: "partial", complete: true });
    } finally {
      delete process.env.LAMBDA_SIM_URL_STREAM_FAILURE;
    }
  });
});

/** A GET with node:http: status, the body received, and whether the response arrived complete (its last chunk). */
function rawGet(url: string): Promise<{ status: number; body: string; complete: boolean }> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      // An incomplete response errors ("aborted") before it closes: what was received is kept.
      res.on("error", () => {});
      res.on("close", () => resolve({ status: res.statusCode!, body, complete: res.complete }));
    }).on("error", reject);
  });
}
