import { until } from "../../../../test/support/until.ts";
import { afterEach, describe, expect, it } from "vitest";
import { RuntimeApiServer } from "./runtime-api-server.ts";
import { normaliseErrorType, type RuntimeOutcome } from "./runtime-contract.ts";

describe("error-type normalisation (RIE, aws-facts §2.1)", () => {
  it.each([
    ["Runtime.ImportModuleError", "Runtime.ImportModuleError"],
    ["Function.ResponseSizeTooLarge", "Function.ResponseSizeTooLarge"],
    ["Function.not_valid", "Function.Unknown"],
    ["Custom.Error", "Runtime.Unknown"],
    ["TypeError", "Runtime.Unknown"],
    [undefined, "Runtime.Unknown"],
  ])("%s → %s", (input, expected) => {
    expect(normaliseErrorType(input)).toBe(expected);
  });
});

describe("RuntimeApiServer", () => {
  let server: RuntimeApiServer | undefined;
  afterEach(async () => server?.close());

  function start() {
    const seen: { ready: number; delivered: string[]; outcomes: RuntimeOutcome[]; initErrors: string[] } = { ready: 0, delivered: [], outcomes: [], initErrors: [] };
    server = new RuntimeApiServer({
      onReady: () => seen.ready++,
      onDelivered: (id) => seen.delivered.push(id),
      onOutcome: (o) => seen.outcomes.push(o),
      onInitError: (type) => seen.initErrors.push(type),
    });
    return { seen, address: server.listen() };
  }

  const event = (requestId: string) => ({ requestId, payload: Buffer.from('{"a":1}'), timeoutMs: 3000, invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:f", traceId: "Root=1-a-b;Parent=c;Sampled=0" });

  it("serves /next with the invoke headers, then accepts one response for that id", async () => {
    const { seen, address } = start();
    const base = `http://${await address}/2018-06-01/runtime`;
    server!.dispatch(event("req-1"));
    const before = Date.now();
    const next = await fetch(`${base}/invocation/next`);
    expect(next.status).toBe(200);
    // Stamped when the runtime takes the event: its timeout from then.
    const deadline = Number(next.headers.get("lambda-runtime-deadline-ms"));
    expect(deadline).toBeGreaterThanOrEqual(before + 3000);
    expect(deadline).toBeLessThanOrEqual(Date.now() + 3000);
    expect(next.headers.get("lambda-runtime-aws-request-id")).toBe("req-1");
    expect(next.headers.get("lambda-runtime-invoked-function-arn")).toBe("arn:aws:lambda:us-east-1:000000000000:function:f");
    expect(next.headers.get("lambda-runtime-trace-id")).toBe("Root=1-a-b;Parent=c;Sampled=0");
    expect(next.headers.get("lambda-runtime-client-context")).toBeNull();
    expect(await next.text()).toBe('{"a":1}');
    expect(seen.delivered).toEqual(["req-1"]);

    const ok = await fetch(`${base}/invocation/req-1/response`, { method: "POST", body: '"done"' });
    expect(ok.status).toBe(202);
    expect(await ok.json()).toEqual({ status: "OK" });
    const again = await fetch(`${base}/invocation/req-1/response`, { method: "POST", body: '"twice"' });
    expect(again.status).toBe(400);
    expect(await again.json()).toEqual({ errorMessage: "Invalid request ID", errorType: "InvalidRequestID" });
    expect(seen.outcomes).toEqual([{ kind: "response", requestId: "req-1", body: Buffer.from('"done"') }]);
  });

  it("holds /next until an event is dispatched and reports the runtime as ready", async () => {
    const { seen, address } = start();
    const base = `http://${await address}/2018-06-01/runtime`;
    const pending = fetch(`${base}/invocation/next`);
    await until(() => seen.ready === 1);
    expect(server!.runtimeWaiting).toBe(true);
    server!.dispatch(event("req-2"));
    const next = await pending;
    expect(next.headers.get("lambda-runtime-aws-request-id")).toBe("req-2");
    await next.text();
  });

  it("normalises the error type of /error and /init/error", async () => {
    const { seen, address } = start();
    const base = `http://${await address}/2018-06-01/runtime`;
    server!.dispatch(event("req-3"));
    await (await fetch(`${base}/invocation/next`)).text();
    const res = await fetch(`${base}/invocation/req-3/error`, { method: "POST", headers: { "Lambda-Runtime-Function-Error-Type": "MyError" }, body: "{}" });
    expect(res.status).toBe(202);
    expect(seen.outcomes[0]).toMatchObject({ kind: "error", errorType: "Runtime.Unknown" });
    const init = await fetch(`${base}/init/error`, { method: "POST", headers: { "Lambda-Runtime-Function-Error-Type": "Runtime.ImportModuleError" }, body: "{}" });
    expect(init.status).toBe(202);
    expect(seen.initErrors).toEqual(["Runtime.ImportModuleError"]);
  });

  it("answers 413 to a response over 6 MB + 100 bytes", async () => {
    const { seen, address } = start();
    const base = `http://${await address}/2018-06-01/runtime`;
    server!.dispatch(event("req-4"));
    await (await fetch(`${base}/invocation/next`)).text();
    const res = await fetch(`${base}/invocation/req-4/response`, { method: "POST", body: "x".repeat(6 * 1024 * 1024 + 101) });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ errorMessage: "Exceeded maximum allowed payload size (6291556 bytes).", errorType: "RequestEntityTooLarge" });
    expect(seen.outcomes).toEqual([{ kind: "too-large", requestId: "req-4" }]);
  });

  it("rejects /next while an event is unanswered with 403 InvalidStateTransition", async () => {
    const { address } = start();
    const base = `http://${await address}/2018-06-01/runtime`;
    server!.dispatch(event("req-5"));
    await (await fetch(`${base}/invocation/next`)).text();
    const res = await fetch(`${base}/invocation/next`);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { errorType: string }).errorType).toBe("InvalidStateTransition");
  });
});
