import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  InvalidRequestContentException,
  InvokeCommand,
  LambdaClient,
  RequestTooLargeException,
  ResourceNotFoundException,
  type InvokeCommandOutput,
} from "@aws-sdk/client-lambda";
import { startTestSimulator, TelemetryRecorder, type TestSimulator } from "@lambda-sim/core/testing";
import type { FunctionDefinition } from "@lambda-sim/core";

const fixtures = (name: string) => fileURLToPath(new URL(`./fixtures/functions/${name}/`, import.meta.url));

function nodeFn(functionName: string, handler: string, extra: Partial<FunctionDefinition> = {}): FunctionDefinition {
  return { functionName, runtime: "nodejs24.x", handler: `index.${handler}`, codeDir: fixtures("node-basic"), timeout: 3, ...extra };
}

// A custom runtime whose bootstrap lost its execute bit (zipped on Windows, say).
const noExec = mkdtempSync(join(tmpdir(), "lambda-sim-noexec-"));
writeFileSync(join(noExec, "bootstrap"), "#!/bin/sh\n", { mode: 0o644 });

const FUNCTIONS: FunctionDefinition[] = [
  nodeFn("echo", "echo", { environment: { GREETING: "hello" } }),
  nodeFn("counter", "counter"),
  nodeFn("tmp", "tmp"),
  nodeFn("wrapped", "echo", { environment: { AWS_LAMBDA_EXEC_WRAPPER: fileURLToPath(new URL("./fixtures/functions/wrapper/wrap.sh", import.meta.url)) } }),
  nodeFn("leak", "leak", { memorySize: 128, timeout: 20 }),
  nodeFn("cold", "nothing"),
  nodeFn("allocate", "allocate", { memorySize: 512 }),
  nodeFn("timer", "timer"),
  nodeFn("sleep", "sleep", { timeout: 1 }),
  nodeFn("fail", "fail"),
  nodeFn("exit", "exit"),
  nodeFn("big", "big"),
  nodeFn("nothing", "nothing"),
  nodeFn("missing-export", "doesNotExist"),
  { functionName: "init-error", runtime: "nodejs22.x", handler: "index.handler", codeDir: fixtures("init-error") },
  { functionName: "bash", runtime: "provided.al2023", handler: "function.handler", codeDir: fixtures("provided-bash") },
  { functionName: "no-exec", runtime: "provided.al2023", handler: "function.handler", codeDir: noExec },
  ...["waits", "noWait", "legacySucceed", "callbackError", "rejects"].map((h) => ({ functionName: `cjs-${h}`, runtime: "nodejs22.x", handler: `index.${h}`, codeDir: fixtures("node-cjs") })),
  { functionName: "esm-js", runtime: "nodejs24.x", handler: "lib/app.nested.handler", codeDir: fixtures("node-esm-js") },
];

let t: TestSimulator;
let lambda: LambdaClient;

beforeAll(async () => {
  t = await startTestSimulator({ functions: FUNCTIONS });
  lambda = new LambdaClient(t.clientConfig);
});

afterAll(async () => {
  lambda?.destroy();
  await t?.close();
  rmSync(noExec, { recursive: true, force: true });
});

async function invoke(name: string, payload: unknown = {}, extra: Partial<ConstructorParameters<typeof InvokeCommand>[0]> = {}) {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(payload)), ...extra }));
  return { out, body: decode(out) };
}

function decode(out: InvokeCommandOutput): any {
  const text = Buffer.from(out.Payload ?? new Uint8Array()).toString("utf8");
  return text === "" ? undefined : JSON.parse(text);
}

function log(out: InvokeCommandOutput): string {
  return Buffer.from(out.LogResult ?? "", "base64").toString("utf8");
}

describe("synchronous Invoke", () => {
  it("runs the handler with the event, the context of §2.4 and the environment of §2.3", async () => {
    const { out, body } = await invoke("echo", { hello: "world" });
    expect(out.StatusCode).toBe(200);
    expect(out.ExecutedVersion).toBe("$LATEST");
    expect(out.FunctionError).toBeUndefined();
    expect(body.event).toEqual({ hello: "world" });
    expect(body.functionName).toBe("echo");
    expect(body.functionVersion).toBe("$LATEST");
    expect(body.invokedFunctionArn).toBe("arn:aws:lambda:us-east-1:000000000000:function:echo");
    expect(body.memoryLimitInMB).toBe("128");
    expect(body.awsRequestId).toBe(out.$metadata.requestId);
    expect(body.remaining).toBeGreaterThan(2000);
    expect(body.remaining).toBeLessThanOrEqual(3000);
    expect(body.env).toEqual({
      AWS_LAMBDA_FUNCTION_NAME: "echo",
      AWS_ENDPOINT_URL: t.endpoint,
      AWS_REGION: "us-east-1",
      GREETING: "hello",
      TZ: ":UTC",
      AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
    });
  });

  it("starts the runtime through AWS_LAMBDA_EXEC_WRAPPER", async () => {
    const { body } = await invoke("wrapped");
    expect(body.env.WRAPPED_BY).toBe("wrap.sh");
  });

  it("returns the log tail with START, END and REPORT lines when LogType is Tail", async () => {
    const { out } = await invoke("fail", {}, { LogType: "Tail" });
    const text = log(out);
    const id = out.$metadata.requestId;
    expect(text).toContain(`START RequestId: ${id} Version: $LATEST\n`);
    expect(text).toMatch(/\tINFO\tabout to fail\n/);
    expect(text).toContain(`END RequestId: ${id}\n`);
    expect(text).toMatch(new RegExp(`REPORT RequestId: ${id}\\tDuration: \\d+\\.\\d{2} ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB\\t`));
  });

  it("reports a handler error as a 200 with X-Amz-Function-Error and the Node payload shape", async () => {
    const { out, body } = await invoke("fail");
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe("Unhandled");
    expect(body.errorType).toBe("TypeError");
    expect(body.errorMessage).toBe("boom");
    expect(body.trace[0]).toBe("TypeError: boom");
  });

  it("answers null when the handler returns nothing", async () => {
    const { out } = await invoke("nothing");
    expect(Buffer.from(out.Payload!).toString()).toBe("null");
  });

  it("reuses a warm environment, keeping module state and /tmp", async () => {
    const a = await invoke("counter");
    const b = await invoke("counter");
    expect(b.body.instance).toBe(a.body.instance);
    expect(b.body.invocations).toBe(a.body.invocations + 1);
    expect(b.body.tmpBefore).toBe(a.body.tmpBefore + 1);
  });

  it("reports Init Duration on a cold start only", async () => {
    const first = await invoke("cold", {}, { LogType: "Tail" });
    const second = await invoke("cold", {}, { LogType: "Tail" });
    expect(log(first.out)).toMatch(/\tInit Duration: \d+\.\d\d ms\t\n$/);
    expect(log(second.out)).not.toContain("Init Duration");
  });

  it("runs parallel invocations of one function in parallel environments", async () => {
    // Three environments: the first round starts them (one may come from the sandbox pool and the
    // others from nothing, so on a loaded machine their handlers need not overlap), the second
    // runs on the three of them at once.
    await Promise.all([1, 2, 3].map(() => invoke("sleep", { ms: 400 })));
    const recorder = new TelemetryRecorder(t.sim.telemetry);
    const results = await Promise.all([1, 2, 3].map(() => invoke("sleep", { ms: 400 })));
    recorder.dispose();
    expect(results.every((r) => r.body.slept === 400)).toBe(true);
    const envs = new Set(recorder.of("invocation.finished").map((e) => e.environmentId));
    expect(envs.size).toBe(3);
    // Their handlers ran at the same time: each started before any of them ended.
    const lastStart = Math.max(...results.map((r) => r.body.startedAt as number));
    const firstEnd = Math.min(...results.map((r) => r.body.endedAt as number));
    expect(lastStart).toBeLessThan(firstEnd);
  });

  it("freezes idle environments: an un-awaited timer runs only when the next invocation thaws it", async () => {
    // 300 ms: long enough that a loaded machine still freezes the environment (2 ms after the
    // answer) before the timer is due; it falls due while the environment is frozen.
    await invoke("timer", { start: "first", delayMs: 300 });
    await new Promise((r) => setTimeout(r, 800));
    const thawedAt = Date.now();
    await invoke("timer", {});
    await new Promise((r) => setTimeout(r, 100));
    const { body } = await invoke("timer", {});
    expect(body.fired).toHaveLength(1);
    expect(body.fired[0].label).toBe("first");
    expect(body.fired[0].at).toBeGreaterThanOrEqual(thawedAt);
  });

  it("gives each environment its own /tmp", async () => {
    const [a, b] = await Promise.all([invoke("tmp", { waitMs: 300 }), invoke("tmp", { waitMs: 300 })]);
    expect(a.body.instance).not.toBe(b.body.instance);
    expect(a.body.markers).toEqual([`marker-${a.body.instance}`]);
    expect(b.body.markers).toEqual([`marker-${b.body.instance}`]);
  });
});

describe("failures cost only their own environment", () => {
  it("times out with Sandbox.Timedout, resets the environment and keeps /tmp", async () => {
    const { out, body } = await invoke("sleep", { ms: 5000 }, { LogType: "Tail" });
    expect(out.FunctionError).toBe("Unhandled");
    expect(body.errorType).toBe("Sandbox.Timedout");
    expect(body.errorMessage).toMatch(new RegExp(`^RequestId: ${out.$metadata.requestId} Error: Task timed out after 1\\.\\d\\d seconds$`));
    expect(log(out)).toMatch(/\tStatus: timeout\tError Type: Sandbox.Timedout\t\n$/);
    const next = await invoke("sleep", { ms: 1 }, { LogType: "Tail" });
    expect(next.body).toMatchObject({ slept: 1 });
    expect(log(next.out)).toContain("Init Duration");
  });

  it("reports a process exit as Runtime.ExitError", async () => {
    const { out, body } = await invoke("exit", { code: 2 });
    expect(out.FunctionError).toBe("Unhandled");
    expect(body).toEqual({ errorType: "Runtime.ExitError", errorMessage: `RequestId: ${out.$metadata.requestId} Error: Runtime exited with error: exit status 2` });
    const again = await invoke("exit", { code: 0 });
    expect(again.body.errorMessage).toBe(`RequestId: ${again.out.$metadata.requestId} Error: Runtime exited without providing a reason`);
  });

  it("returns the init error of a module that throws while loading", async () => {
    const { out, body } = await invoke("init-error");
    expect(out.FunctionError).toBe("Unhandled");
    expect(body.errorType).toBe("Error");
    expect(body.errorMessage).toBe("cannot initialise");
  });

  it("returns Runtime.HandlerNotFound for a missing export", async () => {
    const { body } = await invoke("missing-export");
    expect(body.errorType).toBe("Runtime.HandlerNotFound");
  });

  it("kills a process that grows past its memorySize with Runtime.OutOfMemory", async () => {
    const { out, body } = await invoke("leak", {}, { LogType: "Tail" });
    expect(out.FunctionError).toBe("Unhandled");
    expect(body.errorType).toBe("Runtime.OutOfMemory");
    expect(log(out)).toMatch(/Memory Size: 128 MB\tMax Memory Used: 128 MB\t(Init Duration: [\d.]+ ms\t)?Status: error\tError Type: Runtime.OutOfMemory\t\n$/);
  });

  it("reports the environment's peak memory as Max Memory Used: it grows with the handler's and never falls back", async () => {
    const used = async (mb: number) => Number(/Max Memory Used: (\d+) MB/.exec(log((await invoke("allocate", { mb }, { LogType: "Tail" })).out))![1]);
    const idle = await used(0);
    const peak = await used(96);
    expect(peak).toBeGreaterThanOrEqual(idle + 90);
    expect(peak).toBeLessThan(512);
    expect(await used(0)).toBeGreaterThanOrEqual(peak);
  });

  it("rejects a response over 6 MB with Function.ResponseSizeTooLarge", async () => {
    const { out, body } = await invoke("big", { bytes: 7 * 1024 * 1024 });
    expect(out.FunctionError).toBe("Unhandled");
    expect(body).toEqual({ errorType: "Function.ResponseSizeTooLarge", errorMessage: "Response payload size exceeded maximum allowed payload size (6291556 bytes)." });
  });
});

describe("invocation types and request errors", () => {
  it("answers Event with 202 and runs the event", async () => {
    const recorder = new TelemetryRecorder(t.sim.telemetry);
    const out = await lambda.send(new InvokeCommand({ FunctionName: "echo", InvocationType: "Event", Payload: Buffer.from("{}") }));
    expect(out.StatusCode).toBe(202);
    await t.sim.invoker.asyncQueue.onIdle();
    recorder.dispose();
    expect(recorder.of("invocation.finished").map((e) => e.requestId)).toContain(out.$metadata.requestId);
  });

  it("answers DryRun with 204", async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: "echo", InvocationType: "DryRun" }));
    expect(out.StatusCode).toBe(204);
  });

  it("raises ResourceNotFoundException for an unknown function, with the qualified ARN", async () => {
    const err = await invoke("nope").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expect((err as Error).message).toBe("Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope:$LATEST");
    expect((err as ResourceNotFoundException).$metadata.httpStatusCode).toBe(404);
  });

  it("raises InvalidRequestContentException for a payload that is not JSON", async () => {
    const err = await lambda.send(new InvokeCommand({ FunctionName: "echo", Payload: Buffer.from("{not json") })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidRequestContentException);
    expect((err as Error).message).toMatch(/^Could not parse request body into json/);
  });

  it("rejects a synchronous payload over 6 MB with 413", async () => {
    const payload = Buffer.from(JSON.stringify({ x: "y".repeat(6 * 1024 * 1024) }));
    const err = await lambda.send(new InvokeCommand({ FunctionName: "echo", Payload: payload })).catch((e: unknown) => e);
    expect((err as { name: string }).name).toBe("RequestEntityTooLargeException");
    expect((err as RequestTooLargeException).$metadata.httpStatusCode).toBe(413);
    expect((err as Error).message).toBe("Request must be smaller than 6291456 bytes for the InvokeFunction operation");
  });

  it("rejects an Event payload over 1 MB with 413", async () => {
    const payload = Buffer.from(JSON.stringify({ x: "y".repeat(1024 * 1024) }));
    const err = await lambda.send(new InvokeCommand({ FunctionName: "echo", InvocationType: "Event", Payload: payload })).catch((e: unknown) => e);
    expect((err as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(413);
    expect((err as Error).message).toBe(`${payload.length} byte payload is too large for the Event invocation type (limit 1048576 bytes)`);
  });
});

describe("Node handler styles (our bootstrap, as the AWS runtime interface client)", () => {
  it("waits for the event loop to empty before answering a callback handler", async () => {
    await invoke("cjs-waits"); // warm up: the measured call has no Init
    const started = performance.now();
    const { body } = await invoke("cjs-waits");
    expect(body.calledBackAfterMs).toBeLessThan(100);
    // The handler called back at once; the answer came after its 200 ms timer ran.
    expect(performance.now() - started).toBeGreaterThanOrEqual(195);
  });

  it("answers at once when callbackWaitsForEmptyEventLoop is false", async () => {
    const started = performance.now();
    await invoke("cjs-noWait");
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it("supports context.succeed and callback(error)", async () => {
    expect((await invoke("cjs-legacySucceed")).body).toEqual({ legacy: true });
    const { out, body } = await invoke("cjs-callbackError");
    expect(out.FunctionError).toBe("Unhandled");
    expect(body).toMatchObject({ errorType: "RangeError", errorMessage: "out of range" });
  });

  it("fails the invocation on an unhandled rejection with Runtime.UnhandledPromiseRejection", async () => {
    const { out, body } = await invoke("cjs-rejects");
    expect(out.FunctionError).toBe("Unhandled");
    expect(body.errorType).toBe("Runtime.UnhandledPromiseRejection");
    expect(body.errorMessage).toBe("Error: nobody awaited me");
  });

  it("loads an ES module .js file under package.json type module, with a nested export path", async () => {
    expect((await invoke("esm-js")).body).toEqual({ esm: true });
  });
});

describe("provided runtime", () => {
  it("runs a bootstrap written in bash against the Runtime API", async () => {
    const { out, body } = await invoke("bash", { n: 1 }, { LogType: "Tail" });
    expect(out.FunctionError).toBeUndefined();
    expect(body).toEqual({ bash: true, event: { n: 1 } });
    expect(log(out)).toContain(`handling ${out.$metadata.requestId}`);
  });

  it("returns the error a bootstrap posts as a function error", async () => {
    const { out, body } = await invoke("bash", { fail: true });
    expect(out.FunctionError).toBe("Unhandled");
    expect(body).toEqual({ errorMessage: "bash says no", errorType: "BashError" });
  });

  it("names a bootstrap it cannot start by its path in the environment, /var/task, not the host's (fuzz19 F12)", async () => {
    const { out, body } = await invoke("no-exec");
    expect(out.FunctionError).toBe("Unhandled");
    expect(body).toEqual({ errorType: "Runtime.InvalidEntrypoint", errorMessage: `RequestId: ${out.$metadata.requestId} Error: fork/exec /var/task/bootstrap: permission denied` });
  });
});
