import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AddLayerVersionPermissionCommand,
  CreateFunctionCommand,
  DeleteLayerVersionCommand,
  GetFunctionConfigurationCommand,
  GetLayerVersionByArnCommand,
  GetLayerVersionCommand,
  GetLayerVersionPolicyCommand,
  InvokeCommand,
  LambdaClient,
  ListLayersCommand,
  ListLayerVersionsCommand,
  PublishLayerVersionCommand,
  RemoveLayerVersionPermissionCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { startTestSimulator, zipFiles, type TestSimulator } from "@lambda-sim/core/testing";
import { HAS_PYTHON } from "./support/python.ts";

let t: TestSimulator;
let lambda: LambdaClient;

const publish = async (name: string, files: { name: string; data: string; mode?: number }[], extra: Record<string, unknown> = {}) =>
  lambda.send(new PublishLayerVersionCommand({ LayerName: name, Content: { ZipFile: await zipFiles(files) }, ...extra }));

const invoke = async (name: string) => {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from("{}") }));
  return { out, body: JSON.parse(Buffer.from(out.Payload ?? new Uint8Array()).toString("utf8")) };
};

describe("Lambda layers", () => {
  beforeAll(async () => {
    t = await startTestSimulator();
    lambda = new LambdaClient({ ...t.clientConfig, maxAttempts: 1 });
  });

  afterAll(async () => {
    lambda?.destroy();
    await t?.close();
  });

  it("publishes numbered versions and lists, gets and deletes them as AWS shapes them", async () => {
    const v1 = await publish("shared", [{ name: "nodejs/node_modules/greet/index.js", data: "module.exports = 'v1';" }], { CompatibleRuntimes: ["nodejs24.x"], CompatibleArchitectures: ["x86_64"], Description: "first", LicenseInfo: "MIT" });
    expect(v1.Version).toBe(1);
    expect(v1.LayerVersionArn).toBe("arn:aws:lambda:us-east-1:000000000000:layer:shared:1");
    expect(v1.LayerArn).toBe("arn:aws:lambda:us-east-1:000000000000:layer:shared");
    expect(v1.Content?.CodeSha256).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(v1.CompatibleRuntimes).toEqual(["nodejs24.x"]);
    const v2 = await publish("shared", [{ name: "nodejs/node_modules/greet/index.js", data: "module.exports = 'v2';" }], { CompatibleRuntimes: ["python3.12"] });
    expect(v2.Version).toBe(2);

    const got = await lambda.send(new GetLayerVersionCommand({ LayerName: "shared", VersionNumber: 1 }));
    expect(got.Description).toBe("first");
    expect(got.LicenseInfo).toBe("MIT");
    const byArn = await lambda.send(new GetLayerVersionByArnCommand({ Arn: v2.LayerVersionArn }));
    expect(byArn.Version).toBe(2);

    const versions = await lambda.send(new ListLayerVersionsCommand({ LayerName: "shared" }));
    expect(versions.LayerVersions?.map((v) => v.Version)).toEqual([2, 1]);
    const node = await lambda.send(new ListLayersCommand({ CompatibleRuntime: "nodejs24.x" }));
    expect(node.Layers?.find((l) => l.LayerName === "shared")?.LatestMatchingVersion?.Version).toBe(1);

    await lambda.send(new DeleteLayerVersionCommand({ LayerName: "shared", VersionNumber: 2 }));
    await expect(lambda.send(new GetLayerVersionCommand({ LayerName: "shared", VersionNumber: 2 }))).rejects.toMatchObject({ name: "ResourceNotFoundException" });
    // Numbers are never reused.
    expect((await publish("shared", [{ name: "x.txt", data: "x" }])).Version).toBe(3);
  });

  it("accepts layer version permissions", async () => {
    await publish("perm", [{ name: "a.txt", data: "a" }]);
    const added = await lambda.send(new AddLayerVersionPermissionCommand({ LayerName: "perm", VersionNumber: 1, StatementId: "everyone", Action: "lambda:GetLayerVersion", Principal: "*" }));
    expect(JSON.parse(added.Statement!)).toMatchObject({ Sid: "everyone", Effect: "Allow", Principal: "*", Action: "lambda:GetLayerVersion" });
    const policy = await lambda.send(new GetLayerVersionPolicyCommand({ LayerName: "perm", VersionNumber: 1 }));
    expect(JSON.parse(policy.Policy!).Statement).toHaveLength(1);
    await expect(lambda.send(new AddLayerVersionPermissionCommand({ LayerName: "perm", VersionNumber: 1, StatementId: "everyone", Action: "lambda:GetLayerVersion", Principal: "*" }))).rejects.toMatchObject({ name: "ResourceConflictException" });
    await lambda.send(new RemoveLayerVersionPermissionCommand({ LayerName: "perm", VersionNumber: 1, StatementId: "everyone" }));
    await expect(lambda.send(new GetLayerVersionPolicyCommand({ LayerName: "perm", VersionNumber: 1 }))).rejects.toMatchObject({ name: "ResourceNotFoundException" });
    await expect(lambda.send(new GetLayerVersionPolicyCommand({ LayerName: "perm", VersionNumber: 9 }))).rejects.toThrow("Layer version arn:aws:lambda:us-east-1:000000000000:layer:perm:9 does not exist.");
  });

  it("extracts layers in order into a read-only /opt that Node code reaches through NODE_PATH and PATH", async () => {
    const a = await publish("node-a", [
      { name: "nodejs/node_modules/greet/index.js", data: "module.exports = 'from a';" },
      { name: "nodejs/node_modules/only-a/index.js", data: "module.exports = 'only a';" },
      { name: "bin/tool", data: "#!/bin/sh\necho tool-a\n", mode: 0o755 },
    ]);
    const b = await publish("node-b", [{ name: "nodejs/node_modules/greet/index.js", data: "module.exports = 'from b';" }]);
    const code = await zipFiles([
      {
        name: "index.js",
        data: `const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
exports.handler = async () => {
  let writable = true;
  try { fs.writeFileSync(process.env.OPT_PROBE, "x"); } catch { writable = false; }
  return { greet: require("greet"), onlyA: require("only-a"), tool: execFileSync("tool").toString().trim(), writable, nodePath: process.env.NODE_PATH };
};`,
      },
    ]);
    const created = await lambda.send(new CreateFunctionCommand({ FunctionName: "layered", Runtime: "nodejs24.x", Handler: "index.handler", Role: "arn:aws:iam::000000000000:role/x", Code: { ZipFile: code }, Layers: [a.LayerVersionArn!, b.LayerVersionArn!], Environment: { Variables: { OPT_PROBE: "/opt/probe.txt" } } }));
    expect(created.Layers).toEqual([{ Arn: a.LayerVersionArn, CodeSize: a.Content!.CodeSize }, { Arn: b.LayerVersionArn, CodeSize: b.Content!.CodeSize }]);
    const { out, body } = await invoke("layered");
    expect(out.FunctionError).toBeUndefined();
    expect(body).toMatchObject({ greet: "from b", onlyA: "only a", tool: "tool-a", writable: false });
    expect(body.nodePath.split(":").slice(0, 2)).toEqual(["/opt/nodejs/node24/node_modules", "/opt/nodejs/node_modules"]);

    // Reversed order: the other layer's file wins.
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "layered", Layers: [b.LayerVersionArn!, a.LayerVersionArn!] }));
    expect((await invoke("layered")).body.greet).toBe("from a");
    // Removing every layer.
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "layered", Layers: [] }));
    expect((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "layered" }))).Layers).toBeUndefined();
  });

  it("runs an AWS_LAMBDA_EXEC_WRAPPER that a layer brings in /opt", async () => {
    const w = await publish("wrapper", [{ name: "wrap.sh", data: '#!/bin/sh\nexport WRAPPED_BY=layer\nexec "$@"\n', mode: 0o755 }]);
    const code = await zipFiles([{ name: "index.js", data: "exports.handler = async () => ({ wrapped: process.env.WRAPPED_BY });" }]);
    await lambda.send(new CreateFunctionCommand({ FunctionName: "wrapped", Runtime: "nodejs22.x", Handler: "index.handler", Role: "arn:aws:iam::000000000000:role/x", Code: { ZipFile: code }, Layers: [w.LayerVersionArn!], Environment: { Variables: { AWS_LAMBDA_EXEC_WRAPPER: "/opt/wrap.sh" } } }));
    expect((await invoke("wrapped")).body).toEqual({ wrapped: "layer" });
  });

  it.skipIf(!HAS_PYTHON)("puts /opt/python on a Python handler's path, later layers first", async () => {
    const a = await publish("py-a", [{ name: "python/helper.py", data: "WHO = 'a'\n" }]);
    const b = await publish("py-b", [{ name: "python/lib/python3.12/site-packages/helper2.py", data: "WHO = 'b'\n" }, { name: "python/helper.py", data: "WHO = 'b'\n" }]);
    const code = await zipFiles([{ name: "app.py", data: "import helper, helper2\ndef handler(event, context):\n    return {'helper': helper.WHO, 'helper2': helper2.WHO}\n" }]);
    await lambda.send(new CreateFunctionCommand({ FunctionName: "py-layered", Runtime: "python3.12", Handler: "app.handler", Role: "arn:aws:iam::000000000000:role/x", Code: { ZipFile: code }, Layers: [a.LayerVersionArn!, b.LayerVersionArn!] }));
    const { out, body } = await invoke("py-layered");
    expect(out.FunctionError).toBeUndefined();
    expect(body).toEqual({ helper: "b", helper2: "b" });
  });

  it("refuses Layers as AWS does", async () => {
    const l = await publish("limits", [{ name: "a.txt", data: "a" }]);
    const l2 = await publish("limits", [{ name: "a.txt", data: "b" }]);
    const code = await zipFiles([{ name: "index.js", data: "exports.handler = async () => 1;" }]);
    const create = (name: string, layers: string[]) =>
      lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs24.x", Handler: "index.handler", Role: "arn:aws:iam::000000000000:role/x", Code: { ZipFile: code }, Layers: layers }));
    const six = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => publish(`six-${i}`, [{ name: "f.txt", data: String(i) }])));
    await expect(create("too-many", six.map((v) => v.LayerVersionArn!))).rejects.toMatchObject({ name: "InvalidParameterValueException", message: "Cannot reference more than 5 layers." });
    await expect(create("missing", [`${l.LayerArn}:99`])).rejects.toMatchObject({ name: "InvalidParameterValueException", message: `Layer version ${l.LayerArn}:99 does not exist.` });
    await expect(create("twice", [l.LayerVersionArn!, l2.LayerVersionArn!])).rejects.toMatchObject({ name: "InvalidParameterValueException", message: expect.stringContaining("Two different versions of the same layer") });
    await expect(create("bad-arn", ["not-an-arn"])).rejects.toMatchObject({ name: "ValidationException" });
  });

  it("refuses function code and layers over 250 MB unzipped together, each layer under it", async () => {
    // 140,000,000 bytes of zeros zip to ~140 KB: each layer is accepted alone (under 262,144,000 bytes
    // unzipped), the two together are not. AWS's message, as CreateFunction answers it
    // (reported in github.com/lambci/git-lambda-layer/issues/27, serverlesspub/ffmpeg-aws-lambda-layer/issues/23).
    const zeros = await zipFiles([{ name: "zeros.bin", data: Buffer.alloc(140_000_000) }]);
    const publishZeros = (name: string) => lambda.send(new PublishLayerVersionCommand({ LayerName: name, Content: { ZipFile: zeros } }));
    const [a, b] = [await publishZeros("big-a"), await publishZeros("big-b")];
    const source = "exports.handler = async () => 1;";
    const code = await zipFiles([{ name: "index.js", data: source }]);
    const over = `Function code combined with layers exceeds the maximum allowed size of 262144000 bytes. The actual size is ${280_000_000 + source.length} bytes.`;
    const create = (name: string, layers: string[]) =>
      lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs24.x", Handler: "index.handler", Role: "arn:aws:iam::000000000000:role/x", Code: { ZipFile: code }, Layers: layers }));
    await expect(create("too-big", [a.LayerVersionArn!, b.LayerVersionArn!])).rejects.toMatchObject({ name: "InvalidParameterValueException", message: over });
    // One fits; adding the other later is refused the same way, and the function keeps its one layer.
    await create("big-enough", [a.LayerVersionArn!]);
    await expect(lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "big-enough", Layers: [a.LayerVersionArn!, b.LayerVersionArn!] }))).rejects.toMatchObject({ name: "InvalidParameterValueException", message: over });
    expect((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "big-enough" }))).Layers?.map((l) => l.Arn)).toEqual([a.LayerVersionArn]);
  });
});
