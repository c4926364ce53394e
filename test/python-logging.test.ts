import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import type { FunctionDefinition } from "@lambda-sim/core";
import { startTestSimulator, type TestSimulator } from "@lambda-sim/core/testing";
import { HAS_PYTHON, pythonTitle } from "./support/python.ts";

// The log records of AWS's Python runtime (awslambdaric _setup_logging, JsonFormatter), read from
// the Invoke log tail.
const CODE = fileURLToPath(new URL("./fixtures/functions/python-basic", import.meta.url));
const fn = (functionName: string, environment: Record<string, string> = {}): FunctionDefinition => ({ functionName, runtime: "python3.14", handler: "app.logs", codeDir: CODE, timeout: 3, environment });

let t: TestSimulator;
let lambda: LambdaClient;

async function logsOf(name: string) {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, LogType: "Tail", Payload: Buffer.from('{"n":1}') }));
  const lines = Buffer.from(out.LogResult ?? "", "base64").toString("utf8").split("\n");
  return { id: out.$metadata.requestId!, lines: lines.filter((l) => !/^(START|END|REPORT) RequestId/.test(l) && l !== "") };
}

const TIME = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";

describe.skipIf(!HAS_PYTHON)(pythonTitle("Python logging"), () => {
  beforeAll(async () => {
    t = await startTestSimulator({
      functions: [fn("text"), fn("json", { AWS_LAMBDA_LOG_FORMAT: "JSON" }), fn("errors-only", { AWS_LAMBDA_LOG_LEVEL: "ERROR" })],
    });
    lambda = new LambdaClient({ ...t.clientConfig, maxAttempts: 1 });
  });

  afterAll(async () => {
    lambda?.destroy();
    await t?.close();
  });

  it("prefixes root logger records with [LEVEL], the UTC time and the request id; print() is passed as written", async () => {
    const { id, lines } = await logsOf("text");
    expect(lines[0]).toBe("printed 1");
    expect(lines[1]).toMatch(new RegExp(`^\\[WARNING\\]\\t${TIME}\\t${id}\\twarned here$`));
    // The root logger stays at Python's default WARNING level: logger.info() is not written.
    expect(lines.join("\n")).not.toContain("not shown");
    expect(lines[2]).toMatch(new RegExp(`^\\[ERROR\\]\\t${TIME}\\t${id}\\twith extra$`));
    // A record with a traceback stays one record (its newlines folded to \r).
    expect(lines[3]).toMatch(new RegExp(`^\\[ERROR\\]\\t${TIME}\\t${id}\\tcaught\\rTraceback \\(most recent call last\\):\\r[^\\n]*\\rZeroDivisionError: division by zero$`));
    expect(lines).toHaveLength(4);
  });

  it("writes one JSON object per record with AWS_LAMBDA_LOG_FORMAT=JSON, at INFO and above by default", async () => {
    const { id, lines } = await logsOf("json");
    expect(lines[0]).toBe("printed 1");
    const records = lines.slice(1).map((l) => JSON.parse(l));
    expect(records[0]).toEqual({ timestamp: expect.stringMatching(new RegExp(`^${TIME}$`)), level: "WARNING", message: "warned here", logger: "root", requestId: id });
    expect(records[1]).toMatchObject({ level: "INFO", message: "not shown: the root logger stays at WARNING" });
    expect(records[2]).toMatchObject({ level: "ERROR", message: "with extra", logger: "orders", requestId: id, orderId: 7 });
    expect(records[3]).toMatchObject({
      level: "ERROR",
      message: "caught",
      errorType: "ZeroDivisionError",
      errorMessage: "division by zero",
      location: `${CODE}/app.py:logs:${records[3].location.split(":").pop()}`,
    });
    expect(records[3].stackTrace[0]).toMatch(/^ {2}File ".*\/app\.py", line \d+, in logs\n/);
  });

  it("sets the root logger's level from AWS_LAMBDA_LOG_LEVEL", async () => {
    const { lines } = await logsOf("errors-only");
    expect(lines.map((l) => l.split("\t")[0])).toEqual(["printed 1", "[ERROR]", "[ERROR]"]);
  });
});
