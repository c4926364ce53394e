import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import type { FunctionDefinition } from "@lambda-sim/core";
import { startTestSimulator, type TestSimulator } from "@lambda-sim/core/testing";
import { HAS_PYTHON, pythonTitle } from "./support/python.ts";

// Init failures as AWS's Python runtime reports them (awslambdaric bootstrap._get_handler; aws-facts
// 1.5 "Python init (import) raises": requestId is "").
const CODE = fileURLToPath(new URL("./fixtures/functions/python-init", import.meta.url));
const fn = (functionName: string, handler: string): FunctionDefinition => ({ functionName, runtime: "python3.13", handler, codeDir: CODE, timeout: 3 });

let t: TestSimulator;
let lambda: LambdaClient;

async function invoke(name: string) {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, LogType: "Tail" }));
  return { out, body: JSON.parse(Buffer.from(out.Payload!).toString("utf8")), log: Buffer.from(out.LogResult ?? "", "base64").toString("utf8") };
}

describe.skipIf(!HAS_PYTHON)(pythonTitle("Python init errors"), () => {
  beforeAll(async () => {
    t = await startTestSimulator({
      functions: [
        fn("raises", "raises.handler"),
        fn("bad-syntax", "bad_syntax.handler"),
        fn("imports-missing", "imports_missing.handler"),
        fn("no-module", "nomodule.handler"),
        fn("no-handler", "ok.missing"),
        fn("malformed", "okhandler"),
        fn("builtin", "sys.handler"),
      ],
    });
    lambda = new LambdaClient({ ...t.clientConfig, maxAttempts: 1 });
  });

  afterAll(async () => {
    lambda?.destroy();
    await t?.close();
  });

  it("reports an exception raised while importing the module with its type, message and trace from importlib on", async () => {
    const { out, body, log } = await invoke("raises");
    expect(out.FunctionError).toBe("Unhandled");
    expect(body.errorType).toBe("RuntimeError");
    expect(body.errorMessage).toBe("missing TABLE_NAME");
    expect(body.requestId).toBe("");
    expect(body.stackTrace[0]).toMatch(/^ {2}File ".*\/importlib\/__init__\.py", line \d+, in import_module\n/);
    expect(body.stackTrace.slice(-2)).toEqual([
      `  File "${CODE}/raises.py", line 8, in <module>\n    _configure()\n`,
      `  File "${CODE}/raises.py", line 5, in _configure\n    raise RuntimeError("missing TABLE_NAME")\n`,
    ]);
    expect(log).toMatch(/\[WARNING\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t\tLAMBDA_WARNING: Unhandled exception\. /);
    expect(log).toContain("[ERROR] RuntimeError: missing TABLE_NAME\rTraceback (most recent call last):\r");
  });

  it("reports a syntax error as Runtime.UserCodeSyntaxError", async () => {
    const { body } = await invoke("bad-syntax");
    expect(body.errorType).toBe("Runtime.UserCodeSyntaxError");
    expect(body.errorMessage).toMatch(/^Syntax error in module 'bad_syntax': .* \(bad_syntax\.py, line 2\)$/);
    expect(body.stackTrace).toEqual([`  File "${CODE}/bad_syntax.py" Line 2\n        return (\n`]);
  });

  it("reports a missing module or dependency as Runtime.ImportModuleError", async () => {
    expect((await invoke("imports-missing")).body).toEqual({
      errorMessage: "Unable to import module 'imports_missing': No module named 'requests_that_are_not_installed'",
      errorType: "Runtime.ImportModuleError",
      requestId: "",
      stackTrace: [],
    });
    expect((await invoke("no-module")).body.errorMessage).toBe("Unable to import module 'nomodule': No module named 'nomodule'");
  });

  it("reports a missing handler function as Runtime.HandlerNotFound", async () => {
    const { body, log } = await invoke("no-handler");
    expect(body).toEqual({ errorMessage: "Handler 'missing' missing on module 'ok'", errorType: "Runtime.HandlerNotFound", requestId: "", stackTrace: [] });
    expect(log).toContain("[ERROR] Runtime.HandlerNotFound: Handler 'missing' missing on module 'ok'\rTraceback (most recent call last):\n");
  });

  it("refuses a handler without a dot and one named after a built-in module", async () => {
    expect((await invoke("malformed")).body).toMatchObject({ errorType: "Runtime.MalformedHandlerName", errorMessage: "Bad handler 'okhandler': not enough values to unpack (expected 2, got 1)" });
    expect((await invoke("builtin")).body).toMatchObject({ errorType: "Runtime.BuiltInModuleConflict", errorMessage: "Cannot use built-in module sys as a handler module" });
  });

  it("runs the failed init again at the next invocation", async () => {
    const first = await invoke("no-handler");
    const second = await invoke("no-handler");
    expect(second.body.errorType).toBe("Runtime.HandlerNotFound");
    expect(second.log).toContain("Init Duration");
    expect(first.out.$metadata.requestId).not.toBe(second.out.$metadata.requestId);
  });
});
