import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GetFunctionConfigurationCommand, InvokeCommand, LambdaClient, ListLayerVersionsCommand } from "@aws-sdk/client-lambda";
import { zipFiles } from "@lambda-sim/core/testing";
import { startLambdaSim } from "./support/lambda-sim-process.ts";

const HANDLER = "exports.handler = async () => ({ greet: require('greet'), extra: require('extra') });\n";

/** A project with a folder layer and a zipped one (which overrides the folder's `greet`). */
async function project(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "layers-config-"));
  mkdirSync(join(dir, "src"), { recursive: true });
  writeFileSync(join(dir, "src/index.js"), HANDLER);
  mkdirSync(join(dir, "layers/base/nodejs/node_modules/greet"), { recursive: true });
  writeFileSync(join(dir, "layers/base/nodejs/node_modules/greet/index.js"), "module.exports = 'from folder';\n");
  const zip = await zipFiles([
    { name: "nodejs/node_modules/greet/index.js", data: "module.exports = 'from zip';\n" },
    { name: "nodejs/node_modules/extra/index.js", data: "module.exports = 'extra';\n" },
  ]);
  writeFileSync(join(dir, "layers/override.zip"), zip);
  return dir;
}

async function check(endpoint: string, functionName: string): Promise<void> {
  const lambda = new LambdaClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" }, maxAttempts: 1 });
  try {
    const out = await lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from("{}") }));
    expect(out.FunctionError).toBeUndefined();
    expect(JSON.parse(Buffer.from(out.Payload!).toString())).toEqual({ greet: "from zip", extra: "extra" });
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
    expect(config.Layers?.map((l) => l.Arn)).toEqual([expect.stringMatching(/:layer:base:1$/), expect.stringMatching(/:layer:override:1$/)]);
    expect((await lambda.send(new ListLayerVersionsCommand({ LayerName: "base" }))).LayerVersions).toHaveLength(1);
  } finally {
    lambda.destroy();
  }
}

describe("layers from lambda-sim.yaml and SAM templates", () => {
  it("publishes `layers:` (a folder and a zip) and extracts them in order for functions naming them", async () => {
    const dir = await project();
    writeFileSync(
      join(dir, "lambda-sim.yaml"),
      `layers:
  base: { contentUri: ./layers/base, compatibleRuntimes: [nodejs24.x] }
  override: { contentUri: ./layers/override.zip }
functions:
  api: { runtime: nodejs24.x, handler: index.handler, codeUri: ./src, layers: [base, override] }
`,
    );
    const sim = await startLambdaSim(["--config", join(dir, "lambda-sim.yaml"), "--state", join(dir, ".state")]);
    await check(sim.endpoint, "api");
    await sim.kill();
    // The zip is unpacked in the state directory (not a folder every simulator shares); each layer
    // version has its own copy, so the unpacked folder may be collected once nothing uses it.
    expect(existsSync(join(dir, ".state", "layer-zips"))).toBe(true);
    // A restart with unchanged layers keeps their version numbers.
    const again = await startLambdaSim(["--config", join(dir, "lambda-sim.yaml"), "--state", join(dir, ".state")]);
    await check(again.endpoint, "api");
    await again.kill();
  });

  it("unpacks a zipped layer per simulator: two starting at once both get it whole, and each removes its copy when it stops", async () => {
    const dir = await project();
    // Files enough that unpacking takes a while: two simulators starting together unpack at once.
    const files = Array.from({ length: 500 }, (_, i) => ({ name: `nodejs/node_modules/many/f${i}.js`, data: `module.exports = ${i};\n` }));
    files.push({ name: "nodejs/node_modules/many/index.js", data: "module.exports = require('fs').readdirSync(__dirname).length;\n" });
    writeFileSync(join(dir, "layers/many.zip"), await zipFiles(files));
    writeFileSync(join(dir, "lambda-sim.yaml"), `layers:\n  many: { contentUri: ./layers/many.zip }\nfunctions:\n  count: { runtime: nodejs24.x, handler: count.handler, codeUri: ./src, layers: [many] }\n`);
    writeFileSync(join(dir, "src/count.js"), "exports.handler = async () => require('many');\n");
    // Both simulators' temporary folders in one place of the test's, as /tmp is on one machine.
    const tmp = mkdtempSync(join(tmpdir(), "layers-config-tmp-"));
    const args = ["--config", join(dir, "lambda-sim.yaml"), "--in-memory"];
    const sims = await Promise.all([startLambdaSim(args, { TMPDIR: tmp }), startLambdaSim(args, { TMPDIR: tmp })]);
    for (const sim of sims) {
      const lambda = new LambdaClient({ endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" }, maxAttempts: 1 });
      try {
        const out = await lambda.send(new InvokeCommand({ FunctionName: "count", Payload: Buffer.from("{}") }));
        expect(Buffer.from(out.Payload!).toString()).toBe("501");
      } finally {
        lambda.destroy();
      }
    }
    // Stopped as Ctrl-C stops them: each removes what it unpacked.
    await Promise.all(sims.map((sim) => new Promise<void>((resolve) => (sim.child.once("exit", () => resolve()), sim.child.kill("SIGTERM")))));
    expect(readdirSync(tmp).filter((n) => n.startsWith("lambda-sim-layer-zips"))).toEqual([]);
    expect(existsSync(join(dir, ".state"))).toBe(false);
  }, 60_000);

  it("reads AWS::Serverless::LayerVersion, AWS::Lambda::LayerVersion and a function's Layers", async () => {
    const dir = await project();
    writeFileSync(
      join(dir, "template.yaml"),
      `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  BaseLayer:
    Type: AWS::Serverless::LayerVersion
    Properties: { LayerName: base, ContentUri: layers/base, CompatibleRuntimes: [nodejs24.x] }
  OverrideLayer:
    Type: AWS::Lambda::LayerVersion
    Properties: { LayerName: override, Content: layers/override.zip }
  Api:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: api
      Runtime: nodejs24.x
      Handler: index.handler
      CodeUri: src/
      Layers: [!Ref BaseLayer, !Ref OverrideLayer]
`,
    );
    const sim = await startLambdaSim(["--template", join(dir, "template.yaml"), "--in-memory"]);
    await check(sim.endpoint, "api");
    await sim.kill();
  });

  // newuser13 N13-13: the layout SAM's "Building Lambda layers" page describes: `sam build` puts a
  // python3.12 layer's content under python/, so `import shared` works; it was mounted as written.
  it("puts a layer with a runtime's BuildMethod under that runtime's folder of /opt, as sam build does, and says what it does not install", async () => {
    const dir = mkdtempSync(join(tmpdir(), "layers-build-method-"));
    mkdirSync(join(dir, "layer/shared"), { recursive: true });
    writeFileSync(join(dir, "layer/shared/__init__.py"), "def decode(x):\n    return x.upper()\n");
    writeFileSync(join(dir, "layer/requirements.txt"), "\n");
    mkdirSync(join(dir, "src"));
    writeFileSync(join(dir, "src/app.py"), "from shared import decode\n\ndef handler(event, context):\n    return decode(event['name'])\n");
    writeFileSync(
      join(dir, "template.yaml"),
      `Transform: AWS::Serverless-2016-10-31
Resources:
  SharedLayer:
    Type: AWS::Serverless::LayerVersion
    Properties: { ContentUri: layer/, CompatibleRuntimes: [python3.12] }
    Metadata: { BuildMethod: python3.12 }
  Consumer:
    Type: AWS::Serverless::Function
    Properties: { FunctionName: consumer, Runtime: python3.12, Handler: app.handler, CodeUri: src/, Layers: [!Ref SharedLayer] }
`,
    );
    const sim = await startLambdaSim(["--template", join(dir, "template.yaml"), "--in-memory"]);
    expect(sim.output()).toMatch(/SharedLayer \(BuildMethod python3\.12: requirements\.txt not installed; sam build would install its dependencies\)/);
    const lambda = new LambdaClient({ endpoint: sim.endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" }, maxAttempts: 1 });
    try {
      const out = await lambda.send(new InvokeCommand({ FunctionName: "consumer", Payload: Buffer.from('{"name":"ada"}') }));
      expect([out.FunctionError, Buffer.from(out.Payload!).toString()]).toEqual([undefined, '"ADA"']);
    } finally {
      lambda.destroy();
      await sim.kill();
    }
  }, 60_000);
});
