import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeleteFunctionCommand, DeleteLayerVersionCommand, GetLayerVersionCommand, InvokeCommand, LambdaClient, ListLayerVersionsCommand, PublishVersionCommand } from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { startLambdaSim, type LambdaSimProcess } from "./support/lambda-sim-process.ts";
import { until } from "./support/until.ts";
import { download } from "./support/zip-entries.ts";

/**
 * Walkthrough newuser9 P2-2: "Each time you publish a new version of a layer, Lambda creates a
 * new immutable version" (Lambda developer guide, adding-layers). A layer declared as a folder is
 * copied when a version of it is published: editing the folder makes the next version at the
 * next start and changes nothing of the earlier one (its download, its CodeSha256, the /opt of a
 * function version built on it). The copy goes once no layer version or function uses it.
 */
const CONFIG = `layers:
  common: { contentUri: ./layers/common }
functions:
  api: { runtime: nodejs24.x, handler: index.handler, codeUri: ./src, layers: [common] }
`;
const LAYER_FILE = "nodejs/node_modules/common/index.js";

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "lambda-sim-layer-immutable-"));
  mkdirSync(join(dir, "src"), { recursive: true });
  writeFileSync(join(dir, "src/index.js"), `exports.handler = async () => require("common");\n`);
  mkdirSync(join(dir, "layers/common/nodejs/node_modules/common"), { recursive: true });
  writeLayer(dir, "layer v1");
  writeFileSync(join(dir, "lambda-sim.yaml"), CONFIG);
  return dir;
}

const writeLayer = (dir: string, text: string) => writeFileSync(join(dir, "layers/common", LAYER_FILE), `module.exports = ${JSON.stringify(text)};\n`);
const start = (dir: string) => startLambdaSim(["--config", join(dir, "lambda-sim.yaml"), "--state", join(dir, ".lambda-sim")]);
const client = (sim: LambdaSimProcess) => new LambdaClient({ endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" }, maxAttempts: 1 });

async function invoke(lambda: LambdaClient, qualifier?: string): Promise<unknown> {
  const out = await lambda.send(new InvokeCommand({ FunctionName: "api", Qualifier: qualifier, Payload: Buffer.from("{}") }));
  return JSON.parse(Buffer.from(out.Payload!).toString());
}

async function layerFile(lambda: LambdaClient, version: number): Promise<{ sha: string | undefined; text: string | undefined }> {
  const v = await lambda.send(new GetLayerVersionCommand({ LayerName: "common", VersionNumber: version }));
  return { sha: v.Content?.CodeSha256, text: (await download(v.Content!.Location!)).files?.get(LAYER_FILE) };
}

describe("a layer declared as a folder", () => {
  it("keeps each published version as it was when the folder changes, and drops a copy nothing uses", { timeout: 120_000 }, async () => {
    const dir = project();
    try {
      let sim = await start(dir);
      let lambda = client(sim);
      expect((await lambda.send(new PublishVersionCommand({ FunctionName: "api" }))).Version).toBe("1");
      const v1 = await layerFile(lambda, 1);
      expect(v1.text).toBe(`module.exports = "layer v1";\n`);
      lambda.destroy();
      await sim.kill();

      writeLayer(dir, "layer EDITED");
      sim = await start(dir);
      lambda = client(sim);
      expect((await lambda.send(new ListLayerVersionsCommand({ LayerName: "common" }))).LayerVersions?.map((v) => v.Version)).toEqual([2, 1]);
      // Version 1 is what it was: its download and its CodeSha256.
      expect(await layerFile(lambda, 1)).toEqual(v1);
      expect((await layerFile(lambda, 2)).text).toBe(`module.exports = "layer EDITED";\n`);
      // $LATEST takes the new version; function version 1 keeps layer version 1.
      expect(await invoke(lambda)).toBe("layer EDITED");
      expect(await invoke(lambda, "1")).toBe("layer v1");

      // Deleted, layer version 1 stays while function version 1 uses it; its copy goes with that
      // version (once the version's warm environment has retired).
      const copies = join(dir, ".lambda-sim", "code", ".layers", "common");
      expect(readdirSync(copies)).toHaveLength(2);
      await lambda.send(new DeleteLayerVersionCommand({ LayerName: "common", VersionNumber: 1 }));
      expect(await invoke(lambda, "1")).toBe("layer v1");
      await lambda.send(new DeleteFunctionCommand({ FunctionName: "api", Qualifier: "1" }));
      await until(() => readdirSync(copies).length === 1);
      expect((await layerFile(lambda, 2)).text).toBe(`module.exports = "layer EDITED";\n`);
      lambda.destroy();
      await sim.kill();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
