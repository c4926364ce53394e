import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { ResponseSink } from "./response-sink.ts";
import { readStreamedResponse, type StreamedOutcome } from "./streamed-response.ts";

// The streamed /response as the RIC sends it (chunked, error trailers), read with small limits.

let server: Server | undefined;
afterEach(() => server?.close());

async function post(chunks: string[], opts: { sink?: ResponseSink; trailers?: Record<string, string>; contentType?: string; bufferLimit?: number; streamLimit?: number } = {}): Promise<StreamedOutcome> {
  const outcome = new Promise<StreamedOutcome>((resolve) => {
    server = createServer((req, res) => {
      readStreamedResponse(req, opts.sink, { bufferLimit: opts.bufferLimit ?? 1000, streamLimit: opts.streamLimit ?? 1000 }, () => true, (o) => {
        res.writeHead(202).end();
        resolve(o);
      });
    });
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  const port = (server!.address() as AddressInfo).port;
  const headers: Record<string, string> = { "Transfer-Encoding": "chunked", "Lambda-Runtime-Function-Response-Mode": "streaming", Trailer: "Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body" };
  if (opts.contentType !== undefined) headers["Content-Type"] = opts.contentType;
  const req = request({ host: "127.0.0.1", port, method: "POST", path: "/", headers, agent: false }, (res) => res.resume());
  for (const c of chunks) req.write(c);
  if (opts.trailers) req.addTrailers(opts.trailers);
  req.end();
  return outcome;
}

function recordingSink() {
  const seen = { contentType: "", chunks: [] as string[] };
  const sink: ResponseSink = { resolved: () => {}, start: (t) => (seen.contentType = t), write: (c) => (seen.chunks.push(c.toString()), true), onDrain: (r) => r() };
  return { seen, sink };
}

describe("readStreamedResponse", () => {
  it("without a sink, gathers the chunks as a buffered response", async () => {
    expect(await post(["a", "b", "c"])).toEqual({ kind: "response", body: Buffer.from("abc") });
  });

  it("with a sink, passes each chunk on and keeps nothing", async () => {
    const { seen, sink } = recordingSink();
    const out = await post(["one", "two"], { sink, contentType: "text/plain" });
    expect(out).toEqual({ kind: "response", body: Buffer.alloc(0) });
    expect(seen).toEqual({ contentType: "text/plain", chunks: ["one", "two"] });
  });

  it("defaults the content type to application/octet-stream, as the RIC does", async () => {
    const { seen, sink } = recordingSink();
    await post(["x"], { sink });
    expect(seen.contentType).toBe("application/octet-stream");
  });

  it("reads a mid-stream error from the trailers (the body is base64 JSON)", async () => {
    const body = JSON.stringify({ errorType: "TypeError", errorMessage: "broke", trace: [] });
    const out = await post(["partial"], { trailers: { "Lambda-Runtime-Function-Error-Type": "TypeError", "Lambda-Runtime-Function-Error-Body": Buffer.from(body).toString("base64") } });
    expect(out.kind).toBe("error");
    expect(out.kind === "error" && [out.errorType, out.body.toString()]).toEqual(["TypeError", body]);
  });

  it("stops at the streamed cap, and at the buffered one without a sink", async () => {
    const { seen, sink } = recordingSink();
    expect(await post(["12345", "67890", "abc"], { sink, streamLimit: 8 })).toEqual({ kind: "too-large" });
    expect(seen.chunks.join("").length).toBeLessThanOrEqual(8);
    expect(await post(["12345", "67890"], { bufferLimit: 8 })).toEqual({ kind: "too-large" });
  });
});
