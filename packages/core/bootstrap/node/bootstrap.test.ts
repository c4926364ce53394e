// Process tests of the Node.js bootstrap: each spawns it against a fake Runtime API (aws-facts §2.1)
// that serves queued events and records every request, then checks what the bootstrap sent, what
// it logged, and how it exited. Real processes and real time: nothing here is simulated.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const BOOTSTRAP = fileURLToPath(new URL("./index.mjs", import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const ISO = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z`;

interface QueuedEvent {
  id: string;
  body?: string;
  headers?: Record<string, string>;
}

interface Recorded {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Client port: one value for all requests means one keep-alive connection. */
  clientPort: number;
}

/** A Runtime API that hands out queued events and answers every POST with 202. */
class FakeRuntimeApi {
  readonly requests: Recorded[] = [];
  private readonly queue: QueuedEvent[];
  private readonly server: Server;
  private nextCalls = 0;
  private readonly nextWaiters: Array<{ count: number; resolve: () => void }> = [];
  private readonly held: ServerResponse[] = [];

  constructor(events: QueuedEvent[]) {
    this.queue = [...events];
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const path = req.url ?? "";
        this.requests.push({ method: req.method ?? "", path, headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), clientPort: req.socket.remotePort ?? 0 });
        if (path === "/2018-06-01/runtime/invocation/next") this.serveNext(res);
        else res.writeHead(202, { "Content-Type": "application/json" }).end('{"status":"OK"}');
      });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Resolves once /next has been called `count` times (count = events + 1: all answered, waiting for more). */
  nextCalled(count: number): Promise<void> {
    if (this.nextCalls >= count) return Promise.resolve();
    return new Promise((resolve) => this.nextWaiters.push({ count, resolve }));
  }

  posts(): Recorded[] {
    return this.requests.filter((r) => r.method === "POST");
  }

  close(): void {
    for (const res of this.held) res.destroy();
    this.server.closeAllConnections();
    this.server.close();
  }

  private serveNext(res: ServerResponse): void {
    this.nextCalls += 1;
    for (const w of this.nextWaiters.filter((w) => w.count <= this.nextCalls)) w.resolve();
    const event = this.queue.shift();
    if (event === undefined) {
      this.held.push(res); // blocks, as the real API does when no event is pending
      return;
    }
    res.writeHead(200, {
      "Content-Type": "application/json",
      "Lambda-Runtime-Aws-Request-Id": event.id,
      "Lambda-Runtime-Deadline-Ms": String(Date.now() + 3000),
      "Lambda-Runtime-Invoked-Function-Arn": "arn:aws:lambda:us-east-1:000000000000:function:fn",
      ...event.headers,
    });
    res.end(event.body ?? "{}");
  }
}

interface Run {
  api: FakeRuntimeApi;
  child: ChildProcess;
  exitCode: Promise<number | null>;
  stdout: () => string;
  stderr: () => string;
}

const running: Run[] = [];

afterEach(() => {
  for (const r of running.splice(0)) {
    r.child.kill("SIGKILL");
    r.api.close();
  }
});

async function start(opts: { dir: string; handler: string; events?: QueuedEvent[]; env?: Record<string, string>; runtime?: string }): Promise<Run> {
  const api = new FakeRuntimeApi(opts.events ?? []);
  const runtimeApi = await api.listen();
  const child = spawn(process.execPath, [BOOTSTRAP], {
    cwd: opts.dir,
    env: {
      PATH: process.env.PATH,
      _HANDLER: opts.handler,
      LAMBDA_TASK_ROOT: opts.dir,
      AWS_LAMBDA_RUNTIME_API: runtimeApi,
      AWS_EXECUTION_ENV: `AWS_Lambda_${opts.runtime ?? "nodejs24.x"}`,
      AWS_LAMBDA_FUNCTION_NAME: "fn",
      AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "128",
      AWS_LAMBDA_LOG_GROUP_NAME: "/aws/lambda/fn",
      AWS_LAMBDA_LOG_STREAM_NAME: "2026/01/01/[$LATEST]0123456789abcdef0123456789abcdef",
      ...opts.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (c: Buffer) => (out += c.toString("utf8")));
  child.stderr?.on("data", (c: Buffer) => (err += c.toString("utf8")));
  const exitCode = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const run = { api, child, exitCode, stdout: () => out, stderr: () => err };
  running.push(run);
  return run;
}

/** Runs the events to completion: resolves when the bootstrap asks for one more. */
async function serve(opts: Parameters<typeof start>[0]): Promise<Run> {
  const run = await start(opts);
  await Promise.race([run.api.nextCalled((opts.events ?? []).length + 1), run.exitCode.then((code) => Promise.reject(new Error(`exited ${code}: ${run.stderr()}${run.stdout()}`)))]);
  return run;
}

const json = (r: Recorded | undefined) => JSON.parse(r?.body ?? "null");

describe("async handlers (nodejs24.x)", () => {
  it("answers each event on /response over one keep-alive connection, with the context AWS builds", async () => {
    const { api } = await serve({
      dir: fixture("async"),
      handler: "index.echo",
      events: [
        {
          id: "req-1",
          body: '{"n":1}',
          headers: {
            "Lambda-Runtime-Trace-Id": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
            "Lambda-Runtime-Client-Context": '{"custom":{"k":"v"}}',
            "Lambda-Runtime-Cognito-Identity": '{"cognitoIdentityId":"id","cognitoIdentityPoolId":"pool"}',
          },
        },
        { id: "req-2", body: '{"n":2}' },
      ],
    });
    const posts = api.posts();
    expect(posts.map((p) => p.path)).toEqual(["/2018-06-01/runtime/invocation/req-1/response", "/2018-06-01/runtime/invocation/req-2/response"]);
    expect(new Set(api.requests.map((r) => r.clientPort)).size).toBe(1);
    const first = json(posts[0]);
    expect(first.event).toEqual({ n: 1 });
    expect(first.context).toEqual({
      clientContext: { custom: { k: "v" } },
      identity: { cognitoIdentityId: "id", cognitoIdentityPoolId: "pool" },
      invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:fn",
      awsRequestId: "req-1",
      xRayTraceId: "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
      functionName: "fn",
      functionVersion: "$LATEST",
      memoryLimitInMB: "128",
      logGroupName: "/aws/lambda/fn",
      logStreamName: "2026/01/01/[$LATEST]0123456789abcdef0123456789abcdef",
    });
    expect(first.keys).not.toContain("succeed");
    expect(first.remaining).toBeGreaterThan(1000);
    expect(first.remaining).toBeLessThanOrEqual(3000);
    expect(first.traceEnv).toMatch(/^Root=1-5759e988/);
    // The trace variable is removed for an invocation without a trace header.
    expect(json(posts[1]).traceEnv).toBeNull();
  });

  it("posts null for undefined and awaits nothing from a synchronous handler", async () => {
    const a = await serve({ dir: fixture("async"), handler: "index.nothing", events: [{ id: "a" }] });
    expect(a.api.posts()[0]?.body).toBe("null");
    const b = await serve({ dir: fixture("async"), handler: "index.syncValue", events: [{ id: "b" }] });
    expect(b.api.posts()[0]?.body).toBe("42");
  });

  it("posts a thrown error to /error with its type in the header and body, logs it, and carries on", async () => {
    const { api, stdout } = await serve({ dir: fixture("async"), handler: "index.throws", events: [{ id: "e1" }, { id: "e2" }] });
    const [post] = api.posts();
    expect(post?.path).toBe("/2018-06-01/runtime/invocation/e1/error");
    expect(post?.headers["lambda-runtime-function-error-type"]).toBe("TypeError");
    expect(post?.headers["content-type"]).toBe("application/json");
    const body = json(post);
    expect(Object.keys(body)).toEqual(["errorType", "errorMessage", "trace"]);
    expect(body.errorType).toBe("TypeError");
    expect(body.errorMessage).toBe("boom");
    expect(body.trace[0]).toBe("TypeError: boom");
    expect(body.trace[1]).toMatch(/^ {4}at /);
    expect(api.posts()[1]?.path).toBe("/2018-06-01/runtime/invocation/e2/error");
    expect(stdout()).toMatch(new RegExp(`^${ISO}\\te1\\tERROR\\tInvoke Error \\t\\{"errorType":"TypeError","errorMessage":"boom","stack":\\["TypeError: boom",`, "m"));
  });

  it("ends a handler error's trace, posted and logged, at the user's frames, as AWS shows it", async () => {
    const { api, stdout } = await serve({ dir: fixture("async"), handler: "index.throws", events: [{ id: "e1" }] });
    const trace = json(api.posts()[0]).trace as string[];
    const userFile = pathToFileURL(join(fixture("async"), "index.mjs")).href;
    expect(trace.length).toBeGreaterThan(1);
    for (const frame of trace.slice(1)) expect(frame).toContain(userFile);
    const logged = /"stack":(\[[^\]]*\])/.exec(stdout());
    expect(JSON.parse(logged![1]!)).toEqual(trace);
  });

  it("reports a thrown non-error by its type, with an empty trace", async () => {
    const { api } = await serve({ dir: fixture("async"), handler: "index.throwsString", events: [{ id: "s" }] });
    expect(json(api.posts()[0])).toEqual({ errorType: "string", errorMessage: "plain string", trace: [] });
    expect(api.posts()[0]?.headers["lambda-runtime-function-error-type"]).toBe("string");
  });

  it("fails a result JSON cannot serialise with Runtime.JSONStringifyError", async () => {
    const { api } = await serve({ dir: fixture("async"), handler: "index.unserializable", events: [{ id: "u" }] });
    expect(json(api.posts()[0])).toMatchObject({ errorType: "Runtime.JSONStringifyError", errorMessage: "Unable to stringify response body" });
  });

  it("fails with Runtime.NodeJsExit when the event loop empties before the handler's promise settles", async () => {
    const { api } = await serve({ dir: fixture("async"), handler: "index.neverSettles", events: [{ id: "n" }] });
    expect(api.posts()[0]?.path).toBe("/2018-06-01/runtime/invocation/n/error");
    expect(json(api.posts()[0]).errorType).toBe("Runtime.NodeJsExit");
  });

  it("finds a handler under the default export, and a nested export path", async () => {
    const a = await serve({ dir: fixture("async"), handler: "index.fromDefault", events: [{ id: "d" }] });
    expect(json(a.api.posts()[0])).toBe("from default export");
    const b = await serve({ dir: fixture("async"), handler: "index.nested.deeper.handler", events: [{ id: "n" }] });
    expect(json(b.api.posts()[0])).toBe("nested");
  });
});

describe("process-level failures", () => {
  it("posts an unhandled rejection as Runtime.UnhandledPromiseRejection and exits 128", async () => {
    const { api, exitCode, stdout } = await start({ dir: fixture("async"), handler: "index.unhandledRejection", events: [{ id: "r" }] });
    expect(await exitCode).toBe(128);
    const [post] = api.posts();
    expect(post?.path).toBe("/2018-06-01/runtime/invocation/r/error");
    expect(post?.headers["lambda-runtime-function-error-type"]).toBe("Runtime.UnhandledPromiseRejection");
    expect(json(post)).toMatchObject({ errorType: "Runtime.UnhandledPromiseRejection", errorMessage: "Error: nobody awaited me" });
    expect(json(post).trace[0]).toBe("Runtime.UnhandledPromiseRejection: Error: nobody awaited me");
    expect(stdout()).toMatch(/\tr\tERROR\tUnhandled Promise Rejection \t\{"errorType":"Runtime.UnhandledPromiseRejection","errorMessage":"Error: nobody awaited me","reason":\{"errorType":"Error"/);
  });

  it("posts an uncaught exception as the invocation's error and exits 129", async () => {
    const { api, exitCode, stdout } = await start({ dir: fixture("async"), handler: "index.uncaughtException", events: [{ id: "x" }] });
    expect(await exitCode).toBe(129);
    expect(api.posts().map((p) => p.path)).toEqual(["/2018-06-01/runtime/invocation/x/error"]);
    expect(json(api.posts()[0])).toMatchObject({ errorType: "RangeError", errorMessage: "thrown from a timer" });
    expect(stdout()).toContain('\tx\tERROR\tUncaught Exception \t{"errorType":"RangeError","errorMessage":"thrown from a timer"');
  });

  it("lets process.exit() end the process without an answer", async () => {
    const { api, exitCode } = await start({ dir: fixture("async"), handler: "index.exits", events: [{ id: "q", body: '{"code":3}' }] });
    expect(await exitCode).toBe(3);
    expect(api.posts()).toEqual([]);
  });
});

describe("init errors", () => {
  async function initError(opts: Parameters<typeof start>[0]) {
    const run = await start(opts);
    const code = await run.exitCode;
    const posts = run.api.posts();
    expect(posts.map((p) => p.path)).toEqual(["/2018-06-01/runtime/init/error"]);
    expect(run.api.requests.some((r) => r.path.endsWith("/next"))).toBe(false);
    const body = json(posts[0]);
    expect(posts[0]?.headers["lambda-runtime-function-error-type"]).toBe(body.errorType);
    return { code, body, stdout: run.stdout() };
  }

  it("reports a missing module as Runtime.ImportModuleError and exits 129 (nodejs22.x)", async () => {
    const { code, body, stdout } = await initError({ dir: fixture("async"), handler: "nope.handler", runtime: "nodejs22.x" });
    expect(code).toBe(129);
    expect(body.errorType).toBe("Runtime.ImportModuleError");
    // AWS's runtime file, not lambda-sim's install (aws-samples/s3-to-lambda-patterns#40: "- /var/runtime/index.mjs").
    expect(body.errorMessage).toBe("Error: Cannot find module 'nope'\nRequire stack:\n- /var/runtime/index.mjs");
    expect(body.trace.slice(0, 3)).toEqual(["Runtime.ImportModuleError: Error: Cannot find module 'nope'", "Require stack:", "- /var/runtime/index.mjs"]);
    const frames = body.trace.slice(3);
    expect(frames.length).toBeGreaterThan(0);
    for (const frame of frames) expect(frame).toMatch(/^ {4}at .*file:\/\/\/var\/runtime\/index\.mjs:\d+:\d+\)?$/);
    expect(stdout).toMatch(new RegExp(`^${ISO}\\tundefined\\tERROR\\tUncaught Exception \\t\\{"errorType":"Runtime.ImportModuleError"`));
    expect(stdout).not.toContain(dirname(BOOTSTRAP));
  });

  it("logs Init Error and exits 1 on nodejs24.x", async () => {
    const { code, body, stdout } = await initError({ dir: fixture("async"), handler: "nope.handler" });
    expect(code).toBe(1);
    expect(body.errorType).toBe("Runtime.ImportModuleError");
    expect(stdout).toContain("\tundefined\tERROR\tInit Error \t{");
  });

  it("lists the requiring file when a dependency is missing", async () => {
    const { body } = await initError({ dir: fixture("missing-dependency"), handler: "index.handler" });
    expect(body.errorType).toBe("Runtime.ImportModuleError");
    expect(body.errorMessage).toBe(
      `Error: Cannot find module 'lambda-sim-package-that-does-not-exist'\nRequire stack:\n- ${fixture("missing-dependency/index.cjs")}\n- /var/runtime/index.mjs`,
    );
  });

  it("reports a missing or non-function export as Runtime.HandlerNotFound", async () => {
    const missing = await initError({ dir: fixture("async"), handler: "index.doesNotExist" });
    expect(missing.body).toMatchObject({ errorType: "Runtime.HandlerNotFound", errorMessage: "index.doesNotExist is undefined or not exported" });
    const notFn = await initError({ dir: fixture("async"), handler: "index.notAFunction" });
    expect(notFn.body.errorMessage).toBe("index.notAFunction is not a function");
  });

  it("reports malformed handler names as Runtime.MalformedHandlerName", async () => {
    const bad = await initError({ dir: fixture("async"), handler: "index" });
    expect(bad.body).toMatchObject({ errorType: "Runtime.MalformedHandlerName", errorMessage: "Bad handler" });
    const up = await initError({ dir: fixture("async"), handler: "../async/index.echo" });
    expect(up.body.errorMessage).toBe("'../async/index.echo' is not a valid handler name. Use absolute paths when specifying root directories in handler names.");
  });

  it("reports a syntax error as Runtime.UserCodeSyntaxError", async () => {
    const { body } = await initError({ dir: fixture("syntax-error"), handler: "index.handler" });
    expect(body.errorType).toBe("Runtime.UserCodeSyntaxError");
    expect(body.errorMessage).toMatch(/^SyntaxError: /);
  });

  it("reports an exception thrown by top-level code with its own type", async () => {
    const { code, body, stdout } = await initError({ dir: fixture("init-throws"), handler: "index.handler", runtime: "nodejs22.x" });
    expect(code).toBe(129);
    expect(body).toMatchObject({ errorType: "ConfigError", errorMessage: "cannot initialise" });
    expect(stdout).toContain('ERROR\tUncaught Exception \t{"errorType":"ConfigError","errorMessage":"cannot initialise"');
  });

  it("refuses a callback handler on nodejs24.x with Runtime.CallbackHandlerDeprecated", async () => {
    const { body } = await initError({ dir: fixture("async"), handler: "index.callbackStyle" });
    expect(body.errorType).toBe("Runtime.CallbackHandlerDeprecated");
    expect(body.errorMessage).toMatch(/^ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node\.js 24\./);
  });
});

describe("module formats", () => {
  it("imports a .js file as an ES module under package.json type module", async () => {
    const { api } = await serve({ dir: fixture("type-module"), handler: "lib/app.api.v1.handler", events: [{ id: "m" }] });
    expect(json(api.posts()[0])).toEqual({ esm: true });
  });

  it("requires a .js file under type commonjs, and finds .cjs files", async () => {
    const a = await serve({ dir: fixture("callback"), handler: "app.asyncResult", runtime: "nodejs22.x", events: [{ id: "c" }] });
    expect(json(a.api.posts()[0])).toEqual({ waits: true });
    const b = await serve({ dir: fixture("callback"), handler: "other.handler", events: [{ id: "o", body: "[1]" }] });
    expect(json(b.api.posts()[0])).toEqual({ cjs: true, event: [1] });
  });
});

describe("callback handlers (nodejs22.x)", () => {
  const callback = (handler: string, env: Record<string, string> = {}) =>
    serve({ dir: fixture("callback"), handler: `app.${handler}`, runtime: "nodejs22.x", events: [{ id: handler }], env });

  it("answers a callback once the event loop is empty, and warns at init that callbacks are deprecated", async () => {
    const { api, stdout } = await callback("waits");
    expect(json(api.posts()[0])).toEqual({ timerRan: true });
    expect(stdout()).toMatch(new RegExp(`^${ISO}\\tundefined\\tWARN\\tAWS Lambda plans to remove support for callback-based function handlers starting with Node\\.js 24\\.`));
  });

  it("answers at once when callbackWaitsForEmptyEventLoop is false; the warning can be disabled", async () => {
    const { api, stdout } = await callback("noWait", { AWS_LAMBDA_NODEJS_DISABLE_CALLBACK_WARNING: "1" });
    expect(json(api.posts()[0])).toEqual({ timerRan: false });
    expect(stdout()).not.toContain("WARN");
  });

  it("supports context.succeed and context.fail(), and only the first answer counts", async () => {
    const a = await callback("succeed");
    expect(a.api.posts().map((p) => [p.path, p.body])).toEqual([["/2018-06-01/runtime/invocation/succeed/response", '{"legacy":true}']]);
    const b = await callback("failWithoutReason");
    expect(json(b.api.posts()[0])).toEqual({ errorType: "string", errorMessage: "handled", trace: [] });
  });

  it("posts callback(error) at once, ignoring later calls", async () => {
    const { api } = await callback("callbackError");
    expect(api.posts()).toHaveLength(1);
    expect(json(api.posts()[0])).toMatchObject({ errorType: "RangeError", errorMessage: "out of range" });
  });

  it("answers null for a handler that never answers, Runtime.NodeJsExit for an async one", async () => {
    const a = await callback("neverAnswers");
    expect(a.api.posts()[0]?.body).toBe("null");
    const b = await callback("asyncNeverSettles");
    expect(json(b.api.posts()[0]).errorType).toBe("Runtime.NodeJsExit");
  });

  it("posts a synchronous throw as the invocation's error", async () => {
    const { api } = await callback("throwsSync");
    expect(json(api.posts()[0])).toMatchObject({ errorType: "Error", errorMessage: "thrown synchronously" });
  });
});

describe("logging", () => {
  it("writes one tab-separated record per console call, request id undefined outside an invocation", async () => {
    const { stdout } = await serve({ dir: fixture("async"), handler: "index.logs", events: [{ id: "L" }] });
    const lines = stdout().split("\n");
    expect(lines.at(-1)).toBe("");
    const records = lines.slice(0, -1).map((l) => l.split("\t"));
    for (const r of records) expect(r[0]).toMatch(new RegExp(`^${ISO}$`));
    expect(records.map((r) => [r[1], r[2]])).toEqual([
      ["L", "INFO"],
      ["L", "INFO"],
      ["L", "WARN"],
      ["L", "ERROR"],
      ["L", "DEBUG"],
      ["L", "TRACE"],
      ["L", "INFO"],
    ]);
    expect(records[0]?.slice(3).join("\t")).toBe("log formatted { a: 1 }");
    expect(records[3]?.[3]).toMatch(/^error TypeError: bad\r {4}at /);
    expect(records[6]?.[3]).toBe("two\rlines");
  });

  it("writes JSON records and drops levels below AWS_LAMBDA_LOG_LEVEL", async () => {
    const { stdout } = await serve({
      dir: fixture("async"),
      handler: "index.logs",
      events: [{ id: "J" }],
      env: { AWS_LAMBDA_LOG_FORMAT: "JSON", AWS_LAMBDA_LOG_LEVEL: "WARN" },
    });
    const records = stdout().trim().split("\n").map((l) => JSON.parse(l));
    expect(records.map((r) => r.level)).toEqual(["WARN", "ERROR"]);
    expect(records[0]).toEqual({ timestamp: expect.stringMatching(new RegExp(`^${ISO}$`)), level: "WARN", requestId: "J", message: "warn" });
    expect(records[1]).toMatchObject({ message: expect.stringMatching(/^error TypeError: bad\n/), errorType: "TypeError", errorMessage: "bad" });
  });
});
