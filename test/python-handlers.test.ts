import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient, type InvokeCommandOutput } from "@aws-sdk/client-lambda";
import type { FunctionDefinition } from "@lambda-sim/core";
import { startTestSimulator, type TestSimulator } from "@lambda-sim/core/testing";
import { HAS_PYTHON, pythonTitle } from "./support/python.ts";

const fixtures = (name: string) => fileURLToPath(new URL(`./fixtures/functions/${name}`, import.meta.url));

function py(functionName: string, handler: string, extra: Partial<FunctionDefinition> = {}): FunctionDefinition {
  return { functionName, runtime: "python3.12", handler: `app.${handler}`, codeDir: fixtures("python-basic"), timeout: 3, ...extra };
}

const FUNCTIONS: FunctionDefinition[] = [
  py("echo", "echo", { environment: { GREETING: "hello" }, memorySize: 256 }),
  py("echo-313", "echo", { runtime: "python3.13" }),
  py("wrapped", "echo", { environment: { AWS_LAMBDA_EXEC_WRAPPER: fileURLToPath(new URL("./fixtures/functions/wrapper/wrap.sh", import.meta.url)) } }),
  py("counter", "counter"),
  { functionName: "fail", runtime: "python3.12", handler: "failing.fail", codeDir: fixtures("python-basic") },
  py("unserialisable", "unserialisable"),
  py("numbers", "numbers"),
  py("numbers-313", "numbers", { runtime: "python3.14" }),
  py("raw-bytes", "raw_bytes"),
  py("sleep", "sleep", { timeout: 1 }),
  py("leak", "leak", { memorySize: 128, timeout: 20 }),
  py("exit", "exit"),
  py("timer", "timer"),
  py("coroutine", "coroutine"),
  py("callable", "callable_object"),
  py("nothing", "nothing"),
  py("close-stdout", "close_stdout"),
  { functionName: "package-slash", runtime: "python3.13", handler: "pkg/inner.handler", codeDir: fixtures("python-basic") },
  { functionName: "package-dot", runtime: "python3.13", handler: "pkg.inner.handler", codeDir: fixtures("python-basic") },
];

let t: TestSimulator;
let lambda: LambdaClient;

async function invoke(name: string, payload: unknown = {}, extra: Partial<ConstructorParameters<typeof InvokeCommand>[0]> = {}) {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(payload)), ...extra }));
  const text = Buffer.from(out.Payload ?? new Uint8Array()).toString("utf8");
  let body: any;
  try {
    body = text === "" ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { out, text, body };
}

const tail = (out: InvokeCommandOutput) => Buffer.from(out.LogResult ?? "", "base64").toString("utf8");

describe.skipIf(!HAS_PYTHON)(pythonTitle("Python handlers"), () => {
  beforeAll(async () => {
    t = await startTestSimulator({ functions: FUNCTIONS });
    lambda = new LambdaClient({ ...t.clientConfig, maxAttempts: 1 });
  });

  afterAll(async () => {
    lambda?.destroy();
    await t?.close();
  });

  it("runs module.function with the event and AWS's context object", async () => {
    const clientContext = Buffer.from(JSON.stringify({ client: { app_title: "shop" }, custom: { tenant: "a" }, env: { locale: "fr" } })).toString("base64");
    const { out, body } = await invoke("echo", { hello: "world" }, { ClientContext: clientContext });
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBeUndefined();
    expect(body.event).toEqual({ hello: "world" });
    expect(body.aws_request_id).toBe(out.$metadata.requestId);
    expect(body.function_name).toBe("echo");
    expect(body.function_version).toBe("$LATEST");
    expect(body.invoked_function_arn).toBe("arn:aws:lambda:us-east-1:000000000000:function:echo");
    expect(body.memory_limit_in_mb).toBe("256");
    expect(body.log_group_name).toBe("/aws/lambda/echo");
    expect(body.log_stream_name).toMatch(/^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(body.remaining).toBeGreaterThan(2000);
    expect(body.remaining).toBeLessThanOrEqual(3000);
    expect(body.client_context).toEqual({ custom: { tenant: "a" }, env: { locale: "fr" }, app_title: "shop" });
    expect(body.identity).toEqual([null, null]);
    expect(body.repr).toMatch(/^LambdaContext\(\[aws_request_id=[0-9a-f-]{36},log_group_name=\/aws\/lambda\/echo,/);
    expect(body.execution_env).toBe("AWS_Lambda_python3.12");
    expect(body.trace_id).toMatch(/^Root=1-/);
    expect(body.greeting).toBe("hello");
    // The runtime's site-packages, then the interpreter's own when this machine's python3 is another version.
    const own = body.python_version === "3.12" ? [] : [`/opt/python/lib/python${body.python_version}/site-packages`];
    expect(body.sys_path).toEqual([body.task_root, "/opt/python/lib/python3.12/site-packages", ...own, "/opt/python"]);
    expect(body.cwd).toBe(body.task_root);
  });

  it("starts the interpreter through AWS_LAMBDA_EXEC_WRAPPER", async () => {
    const { body } = await invoke("wrapped");
    expect(body.wrapped_by).toBe("wrap.sh");
    expect(body.argv0).toMatch(/\/bootstrap\.py$/);
    expect((await invoke("echo-313")).body.execution_env).toBe("AWS_Lambda_python3.13");
  });

  it("imports handlers from packages, written with slashes or dots", async () => {
    expect((await invoke("package-slash")).body).toEqual({ module: "pkg.inner" });
    expect((await invoke("package-dot")).body).toEqual({ module: "pkg.inner" });
  });

  it("calls any callable the module exports, passes non-object events as they are and returns None as null", async () => {
    expect((await invoke("callable", "just a string")).body).toEqual({ called: "just a string" });
    expect((await invoke("nothing", [1, 2])).text).toBe("null");
  });

  it("does not await an async def handler: its coroutine is a Runtime.MarshalError, as on AWS", async () => {
    const { body } = await invoke("coroutine");
    expect(body.errorType).toBe("Runtime.MarshalError");
    expect(body.errorMessage).toBe("Unable to marshal response: Object of type coroutine is not JSON serializable");
  });

  it("freezes idle environments: a thread's timer runs only when the next invocation thaws it", async () => {
    // 300 ms: a loaded machine still freezes the environment (2 ms after the answer) before the
    // timer is due; it falls due while the environment is frozen.
    await invoke("timer", { start: "first", delay: 0.3 });
    await new Promise((r) => setTimeout(r, 800));
    const thawedAt = Date.now();
    await invoke("timer");
    await new Promise((r) => setTimeout(r, 100));
    const { body } = await invoke("timer");
    expect(body.fired).toHaveLength(1);
    expect(body.fired[0].label).toBe("first");
    expect(body.fired[0].at).toBeGreaterThanOrEqual(thawedAt);
  });

  it("initialises once per environment: globals and /tmp persist across warm invocations", async () => {
    const first = (await invoke("counter")).body;
    const second = (await invoke("counter")).body;
    expect(second.count).toBe(first.count + 1);
    expect(second.pid).toBe(first.pid);
    expect(second.init_pid).toBe(first.pid);
    expect(second.tmp.length).toBe(first.tmp.length + 1);
  });

  it("reports a handler's exception with errorType, errorMessage, requestId and the Python stackTrace", async () => {
    const { out, body } = await invoke("fail", {}, { LogType: "Tail" });
    expect(out.FunctionError).toBe("Unhandled");
    expect(body.errorType).toBe("ValueError");
    expect(body.errorMessage).toBe("order has no id");
    expect(body.requestId).toBe(out.$metadata.requestId);
    const file = `${fixtures("python-basic")}/failing.py`;
    // The bootstrap's own frames are cut: the trace starts in the handler.
    expect(body.stackTrace).toEqual([
      `  File "${file}", line 8, in fail\n    _check(event)\n`,
      `  File "${file}", line 4, in _check\n    raise ValueError("order has no id")\n`,
    ]);
    // AWS's error record: one record, lines joined by \r, indentation as no-break spaces.
    expect(tail(out)).toContain(`[ERROR] ValueError: order has no id\rTraceback (most recent call last):\r\u00a0\u00a0File "${file}", line 8, in fail\r\u00a0\u00a0\u00a0\u00a0_check(event)\r`);
  });

  it("reports a handler's error after it closed stdout and stderr, and the environment lives on (fuzz19 F6)", async () => {
    expect((await invoke("close-stdout")).body).toBe("closed");
    // The same environment: os.close(1) now fails, and the error is reported as any handler's is.
    const second = await invoke("close-stdout");
    expect(second.out.FunctionError).toBe("Unhandled");
    expect(second.body).toMatchObject({ errorType: "OSError", errorMessage: expect.stringContaining("Bad file descriptor") });
    const third = await invoke("close-stdout");
    expect(third.body).toMatchObject({ errorType: "OSError" });
  });

  it("reports a result json cannot encode as Runtime.MarshalError", async () => {
    const { out, body } = await invoke("unserialisable");
    expect(out.FunctionError).toBe("Unhandled");
    expect(body).toEqual({
      errorMessage: "Unable to marshal response: Object of type set is not JSON serializable",
      errorType: "Runtime.MarshalError",
      requestId: out.$metadata.requestId,
      stackTrace: [],
    });
  });

  it("encodes Decimal results as numbers; python3.12 keeps non-ASCII text as is, later runtimes escape it", async () => {
    expect((await invoke("numbers")).text).toBe('{"price": 12.5, "qty": 3, "text": "café"}');
    expect((await invoke("numbers-313")).text).toBe('{"price": 12.5, "qty": 3, "text": "caf\\u00e9"}');
    expect((await invoke("raw-bytes")).text).toBe("not json");
  });

  it("times out with Sandbox.Timedout, and the next invocation re-initialises", async () => {
    const { out, body } = await invoke("sleep", { seconds: 5 }, { LogType: "Tail" });
    expect(out.FunctionError).toBe("Unhandled");
    expect(body.errorType).toBe("Sandbox.Timedout");
    expect(body.errorMessage).toMatch(/^RequestId: [0-9a-f-]{36} Error: Task timed out after 1\.\d\d seconds$/);
    // The interpreter's memory, read before its process was killed (walk39b: "Max Memory Used: 1 MB").
    expect(Number(/Max Memory Used: (\d+) MB/.exec(tail(out))?.[1])).toBeGreaterThan(5);
    const next = await invoke("sleep", { seconds: 0 }, { LogType: "Tail" });
    expect(next.body).toBe("woke");
    expect(tail(next.out)).toContain("Init Duration");
  });

  it("reports a timeout fault's REPORT with the interpreter's memory, read before its process was killed (walk39b: 1 MB)", async () => {
    const added = await fetch(`${t.endpoint}/_sim/faults`, { method: "POST", body: JSON.stringify({ kind: "timeout", function: "sleep", times: 1 }) });
    expect(added.status).toBe(200);
    const { out, body } = await invoke("sleep", { seconds: 0 }, { LogType: "Tail" });
    expect(body.errorType).toBe("Sandbox.Timedout");
    expect(tail(out)).toMatch(/Duration: 1000\.00 ms\t/);
    expect(Number(/Max Memory Used: (\d+) MB/.exec(tail(out))?.[1])).toBeGreaterThan(5);
  });

  it("kills a handler that outgrows its memory as Runtime.OutOfMemory", async () => {
    const { out, body } = await invoke("leak");
    expect(out.FunctionError).toBe("Unhandled");
    expect(body.errorType).toBe("Runtime.OutOfMemory");
  });

  it("reports sys.exit() in a handler as Runtime.ExitError with the exit status", async () => {
    const { body } = await invoke("exit");
    expect(body.errorType).toBe("Runtime.ExitError");
    expect(body.errorMessage).toMatch(/Runtime exited with error: exit status 3$/);
  });
});
