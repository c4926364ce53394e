import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetFunctionCommand, InvokeCommand, LambdaClient, PublishVersionCommand } from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { startLambdaSim, type LambdaSimProcess } from "./support/lambda-sim-process.ts";
import { HAS_PYTHON, pythonTitle } from "./support/python.ts";
import { download } from "./support/zip-entries.ts";

/**
 * What GetFunction says of a declared folder's package (walkthrough newuser9 P2-9, P1-5): on AWS
 * Code.Location is the package deployed and CodeSize its size. A `codeUri: .` holding the state
 * directory leaves it out (the database, every other function's code); the `__pycache__` the
 * simulator's own runs wrote beside a Python function's modules is not the code either (on AWS
 * /var/task is read-only). A folder over AWS's 262,144,000 bytes unzipped is warned of at start.
 */
const start = (dir: string) => startLambdaSim(["--config", join(dir, "lambda-sim.yaml"), "--state", join(dir, ".lambda-sim")]);
const client = (sim: LambdaSimProcess) => new LambdaClient({ endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" }, maxAttempts: 1 });

function project(config: string, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "lambda-sim-declared-package-"));
  for (const [name, text] of Object.entries({ "lambda-sim.yaml": config, ...files })) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

async function invokeOk(lambda: LambdaClient, name: string): Promise<unknown> {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from("{}") }));
  expect(out.FunctionError).toBeUndefined();
  return JSON.parse(Buffer.from(out.Payload!).toString());
}

describe("a declared folder's package", () => {
  it("leaves the state directory out of a `codeUri: .` function's download, size and published copy", { timeout: 60_000 }, async () => {
    const config = "functions:\n  dot: { runtime: nodejs24.x, handler: src/audit.handler, codeUri: . }\n";
    const handler = "exports.handler = async () => 'audited';\n";
    const dir = project(config, { "src/audit.js": handler });
    try {
      const sim = await start(dir);
      const lambda = client(sim);
      expect(await invokeOk(lambda, "dot")).toBe("audited");
      expect(existsSync(join(dir, ".lambda-sim"))).toBe(true);
      const latest = await lambda.send(new GetFunctionCommand({ FunctionName: "dot" }));
      expect(latest.Configuration?.CodeSize).toBe(Buffer.byteLength(config) + Buffer.byteLength(handler));
      expect([...((await download(latest.Code!.Location!)).files?.keys() ?? [])].sort()).toEqual(["lambda-sim.yaml", "src/audit.js"]);
      expect((await lambda.send(new PublishVersionCommand({ FunctionName: "dot" }))).Version).toBe("1");
      const v1 = await lambda.send(new GetFunctionCommand({ FunctionName: "dot", Qualifier: "1" }));
      expect([...((await download(v1.Code!.Location!)).files?.keys() ?? [])].sort()).toEqual(["lambda-sim.yaml", "src/audit.js"]);
      lambda.destroy();
      await sim.kill();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("warns at start of a folder over AWS's 262,144,000 bytes unzipped, and still runs it", { timeout: 60_000 }, async () => {
    const dir = project("functions:\n  big: { runtime: nodejs24.x, handler: index.handler, codeUri: ./big }\n", { "big/index.js": "exports.handler = async () => 'big';\n" });
    try {
      // Sparse: 250 MB that take no disk (the size is what is measured, never the bytes read).
      writeFileSync(join(dir, "big/data.bin"), "");
      truncateSync(join(dir, "big/data.bin"), 262_144_000);
      const sim = await start(dir);
      expect(sim.output()).toMatch(/warning: functions\.big: its code folder .*big is 262144037 bytes unzipped, over AWS's limit/);
      const lambda = client(sim);
      expect(await invokeOk(lambda, "big")).toBe("big");
      lambda.destroy();
      await sim.kill();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!HAS_PYTHON)(pythonTitle("leaves out the __pycache__ beside a Python function's modules: download, CodeSize and CodeSha256 across a restart"), { timeout: 60_000 }, async () => {
    const files = { "py/app.py": "from helper import greet\n\ndef handler(event, context):\n    return greet()\n", "py/helper.py": "def greet():\n    return 'hi'\n" };
    const dir = project("functions:\n  windower: { runtime: python3.12, handler: app.handler, codeUri: ./py }\n", files);
    try {
      // The premise: a run of the user's own compiled helper.py beside it (the function's runs no
      // longer can where its folder is read-only in its environment, as /var/task is on AWS).
      execFileSync("python3", ["-m", "compileall", "-q", join(dir, "py")]);
      expect(existsSync(join(dir, "py/__pycache__"))).toBe(true);
      let sim = await start(dir);
      let lambda = client(sim);
      expect(await invokeOk(lambda, "windower")).toBe("hi");
      const before = await lambda.send(new GetFunctionCommand({ FunctionName: "windower" }));
      expect(before.Configuration?.CodeSize).toBe(Object.values(files).reduce((n, t) => n + Buffer.byteLength(t), 0));
      expect([...((await download(before.Code!.Location!)).files?.keys() ?? [])].sort()).toEqual(["app.py", "helper.py"]);
      lambda.destroy();
      await sim.kill();

      // The .pyc files are no change of the code: same CodeSha256 after a restart.
      sim = await start(dir);
      lambda = client(sim);
      const after = await lambda.send(new GetFunctionCommand({ FunctionName: "windower" }));
      expect(after.Configuration?.CodeSha256).toBe(before.Configuration?.CodeSha256);
      lambda.destroy();
      await sim.kill();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
