import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { zipFiles } from "@lambda-sim/core/testing";
import { runCli, startLambdaSim } from "./support/lambda-sim-process.ts";

/**
 * A template's code outside the state's `code/` is looked after as `code/` is: its zip CodeUri,
 * unpacked under `<state>/template-code/zip/<logicalId>/<sha256>/`, keeps only what a declared
 * function uses, and the temporary code roots of `--in-memory` with a template and of
 * `lambda-sim run` go when the simulator or the scenario ends, on SIGINT and SIGTERM too.
 */
const dirs: string[] = [];
const dir = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};
/**
 * What a run left in a temp dir, but for the two caches every run shares on purpose (one per
 * installation, not per run): Node's compile cache and the AWS SDK links (node-sdk-path.ts).
 */
const leftIn = (tmp: string) => readdirSync(tmp).filter((n) => n !== "node-compile-cache" && !n.startsWith("lambda-sim-aws-sdk-"));
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs22.x
      Handler: index.handler
      CodeUri: fn.zip
`;

/** A project with the template and fn.zip answering `answer`. */
async function project(answer: string): Promise<string> {
  const p = dir("lambda-sim-tcc-project-");
  writeFileSync(join(p, "template.yaml"), TEMPLATE);
  writeFileSync(join(p, "fn.zip"), await zipFiles([{ name: "index.mjs", data: `export const handler = async () => ${JSON.stringify(answer)};\n` }]));
  return p;
}

/** Invokes the template's one function with the JS SDK and answers its payload. */
async function invokeOnly(endpoint: string): Promise<string> {
  const lambda = new LambdaClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" }, maxAttempts: 1 });
  try {
    const name = (await lambda.send(new ListFunctionsCommand({}))).Functions![0]!.FunctionName!;
    const out = await lambda.send(new InvokeCommand({ FunctionName: name }));
    return JSON.parse(Buffer.from(out.Payload!).toString()) as string;
  } finally {
    lambda.destroy();
  }
}

describe("template code cleanup", () => {
  it.each(["SIGTERM", "SIGINT"] as const)("--in-memory with a template leaves nothing in the temp dir after %s", async (signal) => {
    const p = await project("one");
    const tmp = dir("lambda-sim-tcc-tmpdir-");
    const sim = await startLambdaSim(["--template", join(p, "template.yaml"), "--in-memory"], { TMPDIR: tmp });
    expect(await invokeOnly(sim.endpoint)).toBe("one");
    expect(readdirSync(tmp).some((n) => n.startsWith("lambda-sim-template-"))).toBe(true);
    const exited = new Promise((r) => sim.child.once("exit", r));
    sim.child.kill(signal);
    await exited;
    expect(leftIn(tmp)).toEqual([]);
  }, 60_000);

  it("lambda-sim run with a template architecture leaves nothing in the temp dir", async () => {
    const p = await project("one");
    writeFileSync(join(p, "scenario.yaml"), ["architecture: template.yaml", "duration: 1m", "traffic:", "  - invoke: { function: Fn, count: 2 }"].join("\n"));
    const tmp = dir("lambda-sim-tcc-tmpdir-");
    const r = await runCli(["run", join(p, "scenario.yaml")], { ...process.env, TMPDIR: tmp });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(leftIn(tmp)).toEqual([]);
  }, 60_000);

  it("keeps only the package of the zip the template now names under <state>/template-code/zip", async () => {
    const p = await project("one");
    const state = join(dir("lambda-sim-tcc-state-"), "state");
    const args = ["--template", join(p, "template.yaml"), "--state", state];
    let sim = await startLambdaSim(args);
    expect(await invokeOnly(sim.endpoint)).toBe("one");
    await sim.kill();
    // The zip rebuilt with new code, as `sam build` or a zip script does, and a restart.
    writeFileSync(join(p, "fn.zip"), await zipFiles([{ name: "index.mjs", data: 'export const handler = async () => "two";\n' }]));
    sim = await startLambdaSim(args);
    expect(await invokeOnly(sim.endpoint)).toBe("two");
    expect(readdirSync(join(state, "template-code", "zip", "Fn"))).toHaveLength(1);
    await sim.kill();
  }, 60_000);
});
