import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  DeleteLayerVersionCommand,
  InvokeCommand,
  LambdaClient,
  PublishLayerVersionCommand,
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { startTestSimulator, TelemetryRecorder, zipFiles, type TestSimulator } from "@lambda-sim/core/testing";
import { until } from "./support/until.ts";

// The state directory's code folder holds what something uses, and nothing else: refused uploads,
// deleted functions, versions and layer versions, and the merged /opt of deleted functions leave
// nothing behind (at once, or when the last environment running that code retires), and a start
// removes what an earlier run left. Code still used (by a version, an alias, a function using a
// deleted layer version, an invocation in progress) stays.

const ROLE = "arn:aws:iam::000000000000:role/r";
const source = (v: string) => `export const handler = async () => "${v}";\n`;

let stateDir: string;
let t: TestSimulator;
let lambda: LambdaClient;
let logs: TelemetryRecorder;

async function start(): Promise<void> {
  t = await startTestSimulator({ stateDir });
  lambda = new LambdaClient({ ...t.clientConfig, maxAttempts: 1 });
  logs = new TelemetryRecorder(t.sim.telemetry);
}

async function stop(): Promise<void> {
  lambda?.destroy();
  await t?.close();
}

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), "lambda-sim-cleanup-"));
  await start();
});

afterAll(async () => {
  await stop();
  rmSync(stateDir, { recursive: true, force: true, maxRetries: 5 });
});

const code = (...parts: string[]) => join(stateDir, "code", ...parts);
const entries = (...parts: string[]) => (existsSync(code(...parts)) ? readdirSync(code(...parts)).sort() : []);

const create = async (name: string, files: Parameters<typeof zipFiles>[0], extra: Record<string, unknown> = {}) =>
  lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs24.x", Handler: "index.handler", Role: ROLE, Code: { ZipFile: await zipFiles(files) }, ...extra }));

const invoke = async (name: string, qualifier?: string) => {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Qualifier: qualifier }));
  return { error: out.FunctionError, body: JSON.parse(Buffer.from(out.Payload!).toString()) };
};

const refused = (p: Promise<unknown>) => p.then(() => "accepted", (e: { name: string }) => e.name);

describe("the code folder of the state directory", () => {
  it("keeps nothing of a CreateFunction refused after its zip was unpacked, or before", async () => {
    const layer = "arn:aws:lambda:us-east-1:000000000000:layer:missing:1";
    expect(await refused(create("badlayer", [{ name: "index.mjs", data: source("x") }], { Layers: [layer] }))).toBe("InvalidParameterValueException");
    expect(await refused(lambda.send(new CreateFunctionCommand({ FunctionName: "nz", Runtime: "nodejs24.x", Handler: "index.handler", Role: ROLE, Code: { ZipFile: Buffer.from("not a zip") } })))).toBe("InvalidParameterValueException");
    expect(await refused(create("collide", [{ name: "a", data: "file" }, { name: "a/b", data: "under" }]))).toBe("InvalidParameterValueException");
    // A name taken: the existing function's package stays, the refused one's goes.
    await create("taken", [{ name: "index.mjs", data: source("first") }]);
    expect(await refused(create("taken", [{ name: "index.mjs", data: source("second") }]))).toBe("ResourceConflictException");
    expect(entries()).toEqual(["taken"]);
    expect(entries("taken")).toHaveLength(1);
    expect(await invoke("taken")).toEqual({ error: undefined, body: "first" });
  });

  it("keeps a version's package while it exists, and drops $LATEST's old one once its environment has retired", async () => {
    await create("plain", [{ name: "index.mjs", data: source("v1") }]);
    expect(await invoke("plain")).toEqual({ error: undefined, body: "v1" });
    await lambda.send(new PublishVersionCommand({ FunctionName: "plain" }));
    await lambda.send(new CreateAliasCommand({ FunctionName: "plain", Name: "live", FunctionVersion: "1" }));
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "plain", ZipFile: await zipFiles([{ name: "index.mjs", data: source("v2") }]) }));
    expect(await invoke("plain")).toEqual({ error: undefined, body: "v2" });
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "plain", ZipFile: await zipFiles([{ name: "index.mjs", data: source("v3") }]) }));
    // v2's package went with its environment; version 1's (the alias's) and v3's stay.
    await until(() => entries("plain").length === 2);
    expect(await invoke("plain", "live")).toEqual({ error: undefined, body: "v1" });
    expect(await invoke("plain")).toEqual({ error: undefined, body: "v3" });
    // A refused update leaves nothing.
    expect(await refused(lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "plain", ZipFile: await zipFiles([{ name: "a/", data: "" }, { name: "a", data: "x" }]) })))).toBe("InvalidParameterValueException");
    expect(entries("plain")).toHaveLength(2);
  });

  it("keeps a deleted layer version's content while a function uses it, and drops it and the function's /opt with the function", async () => {
    const publish = async (v: string) =>
      lambda.send(new PublishLayerVersionCommand({ LayerName: "greet", Content: { ZipFile: await zipFiles([{ name: "nodejs/node_modules/greet/index.js", data: `module.exports = "${v}";` }]) } }));
    const v1 = await publish("layer v1");
    const v2 = await publish("layer v2");
    await create("layered", [{ name: "index.js", data: `exports.handler = async () => require("greet");` }], { Layers: [v1.LayerVersionArn!] });
    expect(entries(".layers", "greet")).toHaveLength(2);
    expect(entries(".opt")).toHaveLength(1);
    await lambda.send(new DeleteLayerVersionCommand({ LayerName: "greet", VersionNumber: 1 }));
    expect(entries(".layers", "greet")).toHaveLength(2);
    expect(await invoke("layered")).toEqual({ error: undefined, body: "layer v1" });
    // Moved to version 2: version 1's content and the old /opt are used by nothing any more.
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "layered", Layers: [v2.LayerVersionArn!] }));
    expect(await invoke("layered")).toEqual({ error: undefined, body: "layer v2" });
    await until(() => entries(".layers", "greet").length === 1 && entries(".opt").length === 1);
    await lambda.send(new DeleteLayerVersionCommand({ LayerName: "greet", VersionNumber: 2 }));
    expect(entries(".layers", "greet")).toHaveLength(1);
    await lambda.send(new DeleteFunctionCommand({ FunctionName: "layered" }));
    await until(() => entries(".layers").length === 0 && entries(".opt").length === 0);
  });

  it("lets an invocation in progress finish from its code when its function is deleted, then drops the code", async () => {
    // The handler runs until the test writes `go`: under the home directory, not /tmp (the
    // function's private /tmp would hide it).
    const signals = mkdtempSync(join(homedir(), ".lambda-sim-test-signal-"));
    const go = join(signals, "go");
    try {
      await create(
        "slow",
        [
          { name: "index.mjs", data: `import { existsSync } from "node:fs";\nexport const handler = async () => { console.log("RUNNING"); while (!existsSync(${JSON.stringify(go)})) await new Promise((r) => setTimeout(r, 10)); return (await import("./late.mjs")).late; };\n` },
          { name: "late.mjs", data: `export const late = "loaded after the deletion";\n` },
        ],
        { Timeout: 60 },
      );
      const running = invoke("slow");
      await until(() => logs.of("function.log").some((e) => e.text.includes("RUNNING")));
      await lambda.send(new DeleteFunctionCommand({ FunctionName: "slow" }));
      expect(entries("slow")).toHaveLength(1);
      writeFileSync(go, "");
      expect(await running).toEqual({ error: undefined, body: "loaded after the deletion" });
      await until(() => !existsSync(code("slow")));
    } finally {
      rmSync(signals, { recursive: true, force: true });
    }
  });

  it("takes no package for unused because the state directory was moved since its database was written", async () => {
    const before = { taken: entries("taken"), plain: entries("plain") };
    await stop();
    const moved = `${stateDir}-moved`;
    renameSync(stateDir, moved);
    stateDir = moved;
    await start();
    expect({ taken: entries("taken"), plain: entries("plain") }).toEqual(before);
  });

  it("holds nothing once everything is deleted through the API and the simulator has restarted", async () => {
    for (const name of ["taken", "plain"]) await lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
    await until(() => entries().length === 0);
    await stop();
    // What a crash leaves: a half-unpacked upload, a package and an /opt no function knows.
    mkdirSync(code("crashed", "0123.partial"), { recursive: true });
    mkdirSync(code("ghost", "4567"), { recursive: true });
    writeFileSync(code("ghost", "4567", "index.mjs"), source("ghost"));
    mkdirSync(code(".opt", "89ab"), { recursive: true });
    mkdirSync(code(".layers", "gone", "cdef.partial"), { recursive: true });
    await start();
    expect(entries()).toEqual([]);
  });
});
