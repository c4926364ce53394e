import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join } from "node:path";
import { CreateAliasCommand, GetFunctionCommand, GetLayerVersionCommand, InvokeCommand, LambdaClient, ListLayerVersionsCommand, PublishVersionCommand } from "@aws-sdk/client-lambda";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { startLambdaSim, type LambdaSimProcess } from "./support/lambda-sim-process.ts";
import { download } from "./support/zip-entries.ts";

/**
 * Walkthrough newuser9 P2-1: a project folder moved or renamed with its state directory inside
 * (`.lambda-sim/`, the default place) keeps working. The database names what it holds relative
 * to the state directory, so a published version still runs its copy of the code and its
 * layer's, the layer keeps its version (its content did not change, only where it is), and both
 * downloads still answer. A version whose code folder is gone says so instead of "exit status 127".
 */
const CONFIG = `layers:
  common: { contentUri: ./layers/common }
functions:
  api: { runtime: nodejs24.x, handler: index.handler, codeUri: ./src, layers: [common] }
`;

function project(root: string): string {
  const dir = join(root, "shop");
  mkdirSync(join(dir, "src"), { recursive: true });
  writeFileSync(join(dir, "src/index.js"), `exports.handler = async () => ({ code: "code v1", layer: require("common") });\n`);
  mkdirSync(join(dir, "layers/common/nodejs/node_modules/common"), { recursive: true });
  writeFileSync(join(dir, "layers/common/nodejs/node_modules/common/index.js"), `module.exports = "layer v1";\n`);
  writeFileSync(join(dir, "lambda-sim.yaml"), CONFIG);
  return dir;
}

const start = (dir: string) => startLambdaSim(["--config", join(dir, "lambda-sim.yaml"), "--state", join(dir, ".lambda-sim")]);
const client = (sim: LambdaSimProcess) => new LambdaClient({ endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" }, maxAttempts: 1 });

async function invoke(lambda: LambdaClient, qualifier: string): Promise<unknown> {
  const out = await lambda.send(new InvokeCommand({ FunctionName: "api", Qualifier: qualifier, Payload: Buffer.from("{}") }));
  const body = JSON.parse(Buffer.from(out.Payload!).toString());
  return out.FunctionError ? { error: body.errorType, message: body.errorMessage } : body;
}

describe("a project moved with its state directory inside", () => {
  it("keeps its published versions, its layer versions and their downloads; a missing code folder is named", { timeout: 120_000 }, async () => {
    const root = mkdtempSync(join(tmpdir(), "lambda-sim-moved-"));
    try {
      const before = project(root);
      let sim = await start(before);
      let lambda = client(sim);
      expect((await lambda.send(new PublishVersionCommand({ FunctionName: "api" }))).Version).toBe("1");
      await lambda.send(new CreateAliasCommand({ FunctionName: "api", Name: "live", FunctionVersion: "1" }));
      expect(await invoke(lambda, "live")).toEqual({ code: "code v1", layer: "layer v1" });
      lambda.destroy();
      await sim.kill();

      // `mv shop elsewhere/shop-renamed`: the state directory goes with it.
      mkdirSync(join(root, "elsewhere"));
      const after = join(root, "elsewhere", "shop-renamed");
      renameSync(before, after);
      sim = await start(after);
      lambda = client(sim);
      expect(await invoke(lambda, "live")).toEqual({ code: "code v1", layer: "layer v1" });
      // The layer is unchanged: no new version because its folder is elsewhere.
      expect((await lambda.send(new ListLayerVersionsCommand({ LayerName: "common" }))).LayerVersions?.map((v) => v.Version)).toEqual([1]);
      const layer = await lambda.send(new GetLayerVersionCommand({ LayerName: "common", VersionNumber: 1 }));
      expect((await download(layer.Content!.Location!)).files?.get("nodejs/node_modules/common/index.js")).toBe(`module.exports = "layer v1";\n`);
      const version = await lambda.send(new GetFunctionCommand({ FunctionName: "api", Qualifier: "1" }));
      expect([...((await download(version.Code!.Location!)).files?.keys() ?? [])]).toEqual(["index.js"]);
      // Same code, same layer: PublishVersion returns version 1 rather than making a version of the move.
      expect((await lambda.send(new PublishVersionCommand({ FunctionName: "api" }))).Version).toBe("1");
      lambda.destroy();
      await sim.kill();

      // The version's copy deleted by hand: the invocation says which folder is missing.
      const copies = join(after, ".lambda-sim", "code", "api");
      for (const d of readdirSync(copies)) rmSync(join(copies, d), { recursive: true, force: true });
      sim = await start(after);
      lambda = client(sim);
      const failed = (await invoke(lambda, "1")) as { error: string; message: string };
      expect(failed.message).toContain("the code folder of api version 1 is missing");
      expect(failed.message).not.toContain("exit status 127");
      lambda.destroy();
      await sim.kill();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

/** Rewrites the state's directories as absolute paths, the way lambda-sim wrote them before they were stored relative. */
function asEarlierState(stateDir: string): void {
  const db = new Database(join(stateDir, "lambda-sim.db"));
  const abs = (p: string) => (isAbsolute(p) ? p : join(stateDir, p));
  const config = (text: string) => {
    const c = JSON.parse(text);
    return JSON.stringify({ ...c, codeDir: abs(c.codeDir), optDir: c.optDir && abs(c.optDir), layers: c.layers?.map((l: { dir: string }) => ({ ...l, dir: abs(l.dir) })) });
  };
  for (const r of db.prepare("SELECT name, version, config FROM function_versions").all() as { name: string; version: string; config: string }[]) {
    db.prepare("UPDATE function_versions SET config = ? WHERE name = ? AND version = ?").run(config(r.config), r.name, r.version);
  }
  for (const r of db.prepare("SELECT name, latest FROM functions").all() as { name: string; latest: string }[]) db.prepare("UPDATE functions SET latest = ? WHERE name = ?").run(config(r.latest), r.name);
  for (const r of db.prepare("SELECT name, version, code_dir FROM layer_versions").all() as { name: string; version: number; code_dir: string }[]) {
    db.prepare("UPDATE layer_versions SET code_dir = ? WHERE name = ? AND version = ?").run(abs(r.code_dir), r.name, r.version);
  }
  db.close();
}

describe("a moved state directory written with absolute paths (by an earlier lambda-sim)", () => {
  it("re-bases them onto where the state directory is now", { timeout: 120_000 }, async () => {
    const root = mkdtempSync(join(tmpdir(), "lambda-sim-moved-abs-"));
    try {
      const before = project(root);
      let sim = await start(before);
      let lambda = client(sim);
      expect((await lambda.send(new PublishVersionCommand({ FunctionName: "api" }))).Version).toBe("1");
      lambda.destroy();
      await sim.kill();
      asEarlierState(join(before, ".lambda-sim"));
      const after = join(root, "shop-renamed");
      renameSync(before, after);
      sim = await start(after);
      lambda = client(sim);
      expect(await invoke(lambda, "1")).toEqual({ code: "code v1", layer: "layer v1" });
      const layer = await lambda.send(new GetLayerVersionCommand({ LayerName: "common", VersionNumber: 1 }));
      expect((await download(layer.Content!.Location!)).status).toBe(200);
      lambda.destroy();
      await sim.kill();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
