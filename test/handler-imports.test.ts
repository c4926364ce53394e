import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { startTestSimulator, TelemetryRecorder, type TestSimulator } from "@lambda-sim/core/testing";

// A project as developers have one: the function's code in a folder of it, packages installed in
// the project's node_modules above it. Deployed, the function has only its folder (and what its
// package.json declares, which `sam build` installs into it), its layers and the runtime's SDK.
let project: string;
let t: TestSimulator;
let lambda: LambdaClient;
let warnings: TelemetryRecorder;

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

function cjsPackage(dir: string, name: string, value: string): void {
  write(join(dir, "node_modules", name, "package.json"), JSON.stringify({ name, version: "1.0.0", main: "index.js" }));
  write(join(dir, "node_modules", name, "index.js"), `module.exports = ${JSON.stringify(value)};\n`);
}

describe("what a Node.js handler's imports reach", () => {
  beforeAll(async () => {
    // Not under /tmp (where a clone of the repository may be): a function's private /tmp would
    // hide the project around its code, and nothing above the code would be found anyway.
    project = mkdtempSync(join(homedir(), ".lambda-sim-test-imports-"));
    cjsPackage(project, "undeclared-pkg", "from the project");
    cjsPackage(project, "declared-pkg", "hoisted by npm");
    // The project's own copy of an SDK client: the runtime's is the one a function gets.
    cjsPackage(project, "@aws-sdk/client-sqs", "the project's copy");
    const fn = join(project, "functions", "orders");
    cjsPackage(fn, "bundled-pkg", "shipped with the code");
    // npm nests a package in the function's node_modules and hoists its own dependency above.
    cjsPackage(project, "hoisted-dep", "a dependency's dependency");
    write(join(fn, "node_modules", "nested-pkg", "package.json"), JSON.stringify({ name: "nested-pkg", version: "1.0.0", main: "index.js" }));
    write(join(fn, "node_modules", "nested-pkg", "index.js"), `module.exports = require("hoisted-dep");\n`);
    write(join(fn, "package.json"), JSON.stringify({ name: "orders", dependencies: { "declared-pkg": "^1.0.0" } }));
    write(
      join(fn, "esm.mjs"),
      `const load = (s) => import(s).then((m) => m.default ?? m, (e) => ({ code: e.code, message: e.message }));
export const handler = async () => ({
  bundled: await load("bundled-pkg"),
  nested: await load("nested-pkg"),
  declared: await load("declared-pkg"),
  undeclared: await load("undeclared-pkg"),
  sdk: typeof (await import("@aws-sdk/client-sqs")).SQSClient,
});
`,
    );
    write(
      join(fn, "cjs.js"),
      `exports.handler = async () => {
  const sdk = typeof require("@aws-sdk/client-sqs").SQSClient;
  try { require("undeclared-pkg"); return "found"; } catch (e) { return { sdk, code: e.code, message: e.message.split("\\n")[0] }; }
};
`,
    );
    write(join(fn, "top.mjs"), `import value from "undeclared-pkg";\nexport const handler = async () => value;\n`);
    write(join(fn, "dep.js"), `const value = require("undeclared-pkg");\nexports.handler = async () => value;\n`);
    // A client AWS's runtimes have and lambda-sim's do not (they have the simulated services').
    write(join(fn, "dynamo-esm.mjs"), `import { DynamoDBClient } from "@aws-sdk/client-dynamodb";\nexport const handler = async () => typeof DynamoDBClient;\n`);
    write(join(fn, "dynamo.js"), `const { DynamoDBClient } = require("@aws-sdk/client-dynamodb");\nexports.handler = async () => typeof DynamoDBClient;\n`);
    t = await startTestSimulator({
      functions: [
        { functionName: "esm", runtime: "nodejs24.x", handler: "esm.handler", codeDir: fn, timeout: 10 },
        { functionName: "cjs", runtime: "nodejs22.x", handler: "cjs.handler", codeDir: fn, timeout: 10 },
        { functionName: "top", runtime: "nodejs24.x", handler: "top.handler", codeDir: fn, timeout: 10 },
        { functionName: "nofile", runtime: "nodejs24.x", handler: "missing.handler", codeDir: fn, timeout: 10 },
        { functionName: "dep", runtime: "nodejs24.x", handler: "dep.handler", codeDir: fn, timeout: 10 },
        { functionName: "dynamo-esm", runtime: "nodejs24.x", handler: "dynamo-esm.handler", codeDir: fn, timeout: 10 },
        { functionName: "dynamo-cjs", runtime: "nodejs22.x", handler: "dynamo.handler", codeDir: fn, timeout: 10 },
      ],
    });
    warnings = new TelemetryRecorder(t.sim.telemetry);
    lambda = new LambdaClient({ ...t.clientConfig, maxAttempts: 1 });
  });

  afterAll(async () => {
    lambda?.destroy();
    await t?.close();
    rmSync(project, { recursive: true, force: true });
  });

  async function invoke(name: string) {
    const out = await lambda.send(new InvokeCommand({ FunctionName: name }));
    return { error: out.FunctionError, body: JSON.parse(Buffer.from(out.Payload!).toString("utf8")) };
  }

  it("reaches the function's own node_modules, the packages its package.json declares and the runtime's SDK, not the project's other packages", async () => {
    const { error, body } = await invoke("esm");
    expect(error).toBeUndefined();
    expect(body.bundled).toBe("shipped with the code");
    expect(body.nested).toBe("a dependency's dependency");
    expect(body.declared).toBe("hoisted by npm");
    expect(body.undeclared).toMatchObject({ code: "ERR_MODULE_NOT_FOUND", message: expect.stringContaining("Cannot find package 'undeclared-pkg' imported from") });
    expect(body.sdk).toBe("function");
  });

  it("fails a CommonJS require() as Node does when nothing is found, and gives it the runtime's SDK", async () => {
    const { body } = await invoke("cjs");
    expect(body).toEqual({ sdk: "function", code: "MODULE_NOT_FOUND", message: "Cannot find module 'undeclared-pkg'" });
  });

  it("fails the Init of a handler that imports one, as on AWS after the deploy", async () => {
    const { error, body } = await invoke("top");
    expect(error).toBe("Unhandled");
    // The RIC reports ESM's ERR_MODULE_NOT_FOUND as it is (only CommonJS's becomes Runtime.ImportModuleError).
    expect(body.errorType).toBe("Error");
    expect(body.errorMessage).toContain("Cannot find package 'undeclared-pkg'");
  });

  // F12.4 (newuser7): the Require stack and frames named lambda-sim's bootstrap on this machine.
  it("names AWS's runtime file, not lambda-sim's install, in a Runtime.ImportModuleError, and keeps the user's own paths", async () => {
    const bootstrapDir = fileURLToPath(new URL("../packages/core/bootstrap/", import.meta.url));
    const missing = await invoke("nofile");
    expect(missing.error).toBe("Unhandled");
    expect(missing.body.errorType).toBe("Runtime.ImportModuleError");
    // As AWS answers it (aws/aws-lambda-builders#513, sam local on nodejs18.x: "Require stack:\n- /var/runtime/index.mjs").
    expect(missing.body.errorMessage).toBe("Error: Cannot find module 'missing'\nRequire stack:\n- /var/runtime/index.mjs");
    expect(missing.body.trace.slice(0, 3)).toEqual(["Runtime.ImportModuleError: Error: Cannot find module 'missing'", "Require stack:", "- /var/runtime/index.mjs"]);
    expect(missing.body.trace.slice(3).every((f: string) => f.includes("file:///var/runtime/index.mjs:"))).toBe(true);
    expect(JSON.stringify(missing.body)).not.toContain(bootstrapDir);
    const dep = await invoke("dep");
    expect(dep.body.errorMessage).toContain(`Error: Cannot find module 'undeclared-pkg'\nRequire stack:\n- ${join(project, "functions", "orders", "dep.js")}`);
    expect(JSON.stringify(dep.body)).not.toContain(bootstrapDir);
  });

  it("says, beside the import error, that AWS's runtime provides an SDK client lambda-sim's lacks, once per function, and not for other errors", async () => {
    const esm = await invoke("dynamo-esm");
    expect(esm.error).toBe("Unhandled");
    expect(esm.body.errorMessage).toContain("Cannot find package '@aws-sdk/client-dynamodb'");
    await invoke("dynamo-esm");
    const cjs = await invoke("dynamo-cjs");
    expect(cjs.body.errorType).toBe("Runtime.ImportModuleError");
    const said = warnings.of("simulator.warning").map((w) => w.message);
    const hint = (fn: string) => `${fn} imports @aws-sdk/client-dynamodb, which AWS's nodejs runtimes provide but lambda-sim's do not (they provide `;
    expect(said.filter((m) => m.startsWith(hint("dynamo-esm")))).toHaveLength(1); // twice failed, said once (within the minute)
    expect(said.filter((m) => m.startsWith(hint("dynamo-cjs")))).toHaveLength(1);
    expect(said.find((m) => m.startsWith(hint("dynamo-esm")))).toMatch(/client-sqs.*\): bundle it, or add it to the function's dependencies \(npm install @aws-sdk\/client-dynamodb in its code folder\)$/);
    // A package that is not the SDK's: no word from the simulator.
    expect(said.some((m) => m.includes("undeclared-pkg"))).toBe(false);
  });
});
