import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isSimError } from "@lambda-sim/core";
import { loadConfig } from "./load-config.ts";

/** Writes `text` into a fresh directory that also holds the code directories fn/ and other/. */
function configFile(text: string, name = "lambda-sim.yaml"): string {
  const dir = mkdtempSync(join(tmpdir(), "lambda-sim-config-"));
  mkdirSync(join(dir, "fn"));
  mkdirSync(join(dir, "other"));
  writeFileSync(join(dir, "not-a-dir"), "");
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** The error's code and message, with the config's path written FILE. */
async function failure(text: string, name?: string): Promise<{ code: string; message: string }> {
  const file = configFile(text, name);
  const err = await loadConfig(file).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isSimError(err)) throw new Error(`expected a SimError, got ${String(err)}`);
  return { code: err.code, message: err.message.replaceAll(file, "FILE").replaceAll(join(file, ".."), "DIR") };
}

async function problem(text: string): Promise<string> {
  const f = await failure(text);
  expect(f.code).toBe("ERR_CONFIG");
  return f.message;
}

const HEAD = "functions:\n  orders:\n    runtime: nodejs24.x\n    handler: index.handler\n    codeUri: ./fn\n";

describe("loadConfig", () => {
  it("turns two functions into definitions with defaults and absolute code directories", async () => {
    const file = configFile(
      [
        "# two functions",
        "functions:",
        "  orders:",
        "    runtime: nodejs24.x",
        "    handler: src/orders.handler",
        "    codeUri: ./fn",
        "    environment: { TABLE: orders, RETRIES: 3, VERSION: 1.10 }",
        "    sim: { freeze: false }",
        "  worker:",
        "    runtime: provided.al2023",
        "    codeUri: other",
        "    memorySize: 512",
        "    timeout: 30",
        "",
      ].join("\n"),
    );
    const dir = join(file, "..");
    const c = await loadConfig(file);
    expect(c).toMatchObject({ file, region: "us-east-1", accountId: "000000000000", account: { concurrentExecutions: 1000 } });
    expect(c.functions).toEqual([
      {
        functionName: "orders",
        runtime: "nodejs24.x",
        handler: "src/orders.handler",
        codeDir: join(dir, "fn"),
        memorySize: 128,
        timeout: 3,
        // Numbers are taken as text, as written (1.10 would be 1.1 through a number).
        environment: { TABLE: "orders", RETRIES: "3", VERSION: "1.10" },
        sim: { freeze: false },
      },
      { functionName: "worker", runtime: "provided.al2023", codeDir: join(dir, "other"), memorySize: 512, timeout: 30 },
    ]);
  });

  it("reads region, account and an unquoted 12-digit account id", async () => {
    const c = await loadConfig(configFile("region: eu-west-1\naccountId: 000000000000\naccount: { concurrentExecutions: 50 }\n"));
    expect(c).toMatchObject({ region: "eu-west-1", accountId: "000000000000", account: { concurrentExecutions: 50 }, functions: [] });
    expect((await loadConfig(configFile("accountId: 123456789012\n"))).accountId).toBe("123456789012");
  });

  it("reads JSON too", async () => {
    const file = configFile(JSON.stringify({ functions: { f: { runtime: "provided.al2023", codeUri: "fn" } } }), "lambda-sim.json");
    const c = await loadConfig(file);
    expect(c.functions).toEqual([expect.objectContaining({ functionName: "f", codeDir: join(file, "..", "fn"), memorySize: 128 })]);
  });

  it("reports a JSON problem at its line", async () => {
    const text = JSON.stringify({ functions: { f: { runtime: "provided.al2023", codeUri: "fn", timeout: 0 } } }, null, 2);
    expect((await failure(text, "lambda-sim.json")).message).toBe("FILE:6 functions.f.timeout: expected an integer between 1 and 900, got 0");
  });

  it.each([
    ["out-of-range memorySize", `${HEAD}    memorySize: 64\n`, "FILE:6 functions.orders.memorySize: expected an integer between 128 and 10240, got 64"],
    ["wrong type", `${HEAD}    timeout: "ten"\n`, "FILE:6 functions.orders.timeout: expected an integer between 1 and 900, got 'ten'"],
    ["wrong type at a nested key", `${HEAD}    description: d\n    sim:\n      freeze: maybe\n`, "FILE:8 functions.orders.sim.freeze: expected true or false, got 'maybe'"],
    ["unknown key", `${HEAD}    memroySize: 256\n`, "FILE:6 functions.orders.memroySize: unknown key (did you mean 'memorySize'?)"],
    ["unknown nested key", `${HEAD}    ephemeralStorage:\n      size: 1024\n      sise: 2\n`, "FILE:8 functions.orders.ephemeralStorage.sise: unknown key (did you mean 'size'?)"],
    ["unknown top-level key", `regoin: eu-west-1\n${HEAD}`, "FILE:1 regoin: unknown key (did you mean 'region'?)"],
    [
      "unsupported runtime",
      HEAD.replace("nodejs24.x", "nodejs18.x"),
      "FILE:3 functions.orders.runtime: expected one of nodejs22.x, nodejs24.x, python3.12, python3.13, python3.14, provided.al2023, provided.al2, model, got 'nodejs18.x'",
    ],
    [
      "missing handler (reported at the function)",
      HEAD.replace("    handler: index.handler\n", ""),
      "FILE:2 functions.orders.handler: expected a handler such as index.handler (required for Node.js runtimes), but it is missing",
    ],
    [
      "reserved environment key",
      `${HEAD}    environment:\n      AWS_REGION: eu-west-1\n`,
      "FILE:6 functions.orders.environment: expected valid Lambda environment variables: Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: AWS_REGION",
    ],
    ["bad function name", HEAD.replace("orders:", "'orders v2':"), `FILE:2 functions["orders v2"]: expected a function name of 1-64 letters, digits, hyphens or underscores, got 'orders v2'`],
    ["empty function entry", "functions:\n  orders:\n", "FILE:2 functions.orders: expected a map of function settings (runtime, handler, codeUri, ...), got an empty value"],
    ["short account id", "accountId: '1234'\n", "FILE:1 accountId: expected a 12-digit account id, got '1234'"],
    ["entry of a list", `${HEAD}eventSourceMappings:\n  - functionName: orders\n    eventSourceArn: sqs:q\n    batchSize: ten\n`, "FILE:9 eventSourceMappings[0].batchSize: expected a whole number, got 'ten'"],
    ["YAML syntax error", "functions:\n  orders: [1, 2\n", "FILE:3 invalid YAML: "],
    ["duplicate key", `${HEAD}    timeout: 3\n    timeout: 4\n`, "FILE:7 invalid YAML: Map keys must be unique"],
  ])("reports %s as one line naming file, line, path and expectation", async (_, text, expected) => {
    const message = await problem(text);
    expect(message.split("\n")).toHaveLength(1);
    expect(message.startsWith(expected)).toBe(true);
  });

  it("reports every problem, one line each, in file order", async () => {
    const message = await problem(`${HEAD}    timeout: 0\n    memorySize: 1\n    colour: red\n`);
    expect(message.split("\n")).toEqual([
      "FILE:6 functions.orders.timeout: expected an integer between 1 and 900, got 0",
      "FILE:7 functions.orders.memorySize: expected an integer between 128 and 10240, got 1",
      "FILE:8 functions.orders.colour: unknown key",
    ]);
  });

  it("names a missing code directory, and a file where a directory should be", async () => {
    const f = await failure(`${HEAD.replace("./fn", "./nope")}  worker:\n    runtime: provided.al2\n    codeUri: not-a-dir\n`);
    expect(f.code).toBe("ERR_CODE_DIR");
    expect(f.message.split("\n")).toEqual([
      "FILE:5 functions.orders.codeUri: directory not found: DIR/nope",
      "FILE:8 functions.worker.codeUri: directory not found: DIR/not-a-dir",
    ]);
  });

  it("names a missing file", async () => {
    const err = await loadConfig("/nonexistent/lambda-sim.yaml").catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "ERR_CONFIG", message: "config file not found: /nonexistent/lambda-sim.yaml" });
  });

  it("accepts an empty file", async () => {
    expect((await loadConfig(configFile(""))).functions).toEqual([]);
  });
});
