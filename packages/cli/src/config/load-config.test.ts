import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./load-config.ts";

function configFile(text: string, name = "lambda-sim.yaml"): string {
  const dir = mkdtempSync(join(tmpdir(), "lambda-sim-config-"));
  mkdirSync(join(dir, "fn"));
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

async function problem(text: string): Promise<string> {
  const file = configFile(text);
  const err = (await loadConfig(file).catch((e: unknown) => e)) as Error;
  expect(err).toBeInstanceOf(Error);
  return err.message.replaceAll(file, "FILE");
}

const HEAD = "functions:\n  orders:\n    runtime: nodejs24.x\n    handler: index.handler\n    codeUri: ./fn\n";

describe("loadConfig", () => {
  it("applies defaults and resolves codeUri against the file's directory", async () => {
    const file = configFile(`${HEAD}    environment: { TABLE: orders, RETRIES: 3 }\n    sim: { freeze: false }\n`);
    const c = await loadConfig(file);
    expect(c.region).toBe("us-east-1");
    expect(c.accountId).toBe("000000000000");
    expect(c.functions).toEqual([
      expect.objectContaining({ functionName: "orders", runtime: "nodejs24.x", codeDir: join(file, "..", "fn"), environment: { TABLE: "orders", RETRIES: "3" }, sim: { freeze: false } }),
    ]);
  });

  it("reads JSON too", async () => {
    const file = configFile(JSON.stringify({ functions: { f: { runtime: "provided.al2023", codeUri: "fn" } } }), "lambda-sim.json");
    expect((await loadConfig(file)).functions.map((f) => f.functionName)).toEqual(["f"]);
  });

  it.each([
    [`${HEAD}    memorySize: 64\n`, "FILE:6 functions.orders.memorySize: expected an integer between 128 and 10240, got 64"],
    [`${HEAD}    timeout: "ten"\n`, "FILE:6 functions.orders.timeout: expected an integer between 1 and 900, got 'ten'"],
    [`${HEAD}    memroySize: 256\n`, "FILE:6 functions.orders.memroySize: unknown key (did you mean 'memorySize'?)"],
    [HEAD.replace("nodejs24.x", "nodejs18.x"), "FILE:3 functions.orders.runtime: expected one of nodejs22.x, nodejs24.x, provided.al2023, provided.al2, model, got 'nodejs18.x'"],
    [HEAD.replace("    handler: index.handler\n", ""), "FILE:2 functions.orders.handler: expected a handler such as index.handler (required for Node.js runtimes), but it is missing"],
    [`${HEAD}    environment: { AWS_REGION: eu-west-1 }\n`, "FILE:6 functions.orders.environment: expected valid Lambda environment variables: Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: AWS_REGION, got a map"],
    ["functions:\n  orders: [1, 2\n", "FILE:3"],
  ])("reports %j as one line naming file, line, path and expectation", async (text, expected) => {
    const message = await problem(text);
    expect(message.startsWith(expected)).toBe(true);
    expect(message.split("\n")).toHaveLength(1);
  });

  it("names a missing code directory", async () => {
    expect(await problem(HEAD.replace("./fn", "./nope"))).toMatch(/^FILE:5 functions\.orders\.codeUri: directory not found: .*\/nope$/);
  });

  it("names a missing file", async () => {
    await expect(loadConfig("/nonexistent/lambda-sim.yaml")).rejects.toThrow("config file not found: /nonexistent/lambda-sim.yaml");
  });
});
