import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateFunctionCommand,
  GetFunctionCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  ListLayerVersionsCommand,
  PublishLayerVersionCommand,
  UpdateFunctionCodeCommand,
} from "@aws-sdk/client-lambda";
import { startTestSimulator, zipFiles, type TestSimulator } from "@lambda-sim/core/testing";

// Deployment packages whose entries collide, or that carry symbolic links (`zip --symlinks`):
// a package the filesystem cannot take is AWS's InvalidParameterValueException, never the end of
// the simulator, and nothing is written outside the package's directory; good links are kept as
// links, as Lambda's unzip keeps them.

const UNZIP_FAILED = "Could not unzip uploaded file. Please check your file, then try to upload again.";
const LINK = 0o120777;
const HANDLER = (v: string) => `export const handler = async () => "${v}";\n`;

let stateDir: string;
let outside: string;
let t: TestSimulator;
let lambda: LambdaClient;

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), "lambda-sim-zip-state-"));
  outside = mkdtempSync(join(tmpdir(), "lambda-sim-zip-outside-"));
  writeFileSync(join(outside, "secret.txt"), "untouched");
  // What a crash mid-upload leaves: removed at start.
  mkdirSync(join(stateDir, "code", "crashed", "0123abcd.partial", "a"), { recursive: true });
  mkdirSync(join(stateDir, "code", ".layers", "crashed", "0123abcd.partial"), { recursive: true });
  t = await startTestSimulator({ stateDir });
  lambda = new LambdaClient({ ...t.clientConfig, maxAttempts: 1 });
});

afterAll(async () => {
  lambda?.destroy();
  await t?.close();
  rmSync(stateDir, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

const create = async (name: string, files: Parameters<typeof zipFiles>[0]) =>
  lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs24.x", Handler: "index.handler", Role: "arn:aws:iam::000000000000:role/r", Code: { ZipFile: await zipFiles(files) } }));

const invoke = async (name: string) => {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name }));
  return { error: out.FunctionError, body: JSON.parse(Buffer.from(out.Payload!).toString()) };
};

async function refusal(p: Promise<unknown>): Promise<{ name: string; message: string; status: number }> {
  const e = (await p.then(() => undefined, (err: unknown) => err)) as { name: string; message: string; $metadata: { httpStatusCode: number } } | undefined;
  expect(e, "the upload was accepted").toBeDefined();
  return { name: e!.name, message: e!.message, status: e!.$metadata.httpStatusCode };
}

/** Every staging directory (`*.partial`, `*.partial-XXXXXX`) under the state directory's code folder. */
function partials(dir = join(stateDir, "code")): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (/\.partial(-[^/]*)?$/.test(e.name) ? [join(dir, e.name)] : e.isDirectory() && !e.isSymbolicLink() ? partials(join(dir, e.name)) : []));
}

const COLLIDING: [string, () => Parameters<typeof zipFiles>[0]][] = [
  ["a directory, then a file of the same name", () => [{ name: "a/", data: "" }, { name: "a", data: "file" }]],
  ["a file, then an entry under it", () => [{ name: "a", data: "file" }, { name: "a/b", data: "under" }]],
  ["a directory, then a link of the same name", () => [{ name: "a/", data: "" }, { name: "a", data: "/etc", mode: LINK }]],
  ["a link to a directory outside, then an entry under it", () => [{ name: "link", data: outside, mode: LINK }, { name: "link/evil.txt", data: "written through the link" }]],
  ["a link to a file outside, then a file of the same name", () => [{ name: "link", data: join(outside, "secret.txt"), mode: LINK }, { name: "link", data: "overwritten through the link" }]],
  ["a link, then a directory entry of the same name", () => [{ name: "link", data: outside, mode: LINK }, { name: "link/", data: "" }]],
];

describe("deployment packages whose entries collide", () => {
  it("leaves no half-unpacked package of an earlier crash behind after a start", () => {
    expect(partials()).toEqual([]);
  });

  it.each(COLLIDING)("refuses %s on CreateFunction with AWS's InvalidParameterValueException, and still answers", async (_, files) => {
    const name = `collide-${COLLIDING.findIndex(([d]) => d === _)}`;
    const e = await refusal(create(name, [{ name: "index.mjs", data: HANDLER("x") }, ...files()]));
    expect(e).toEqual({ name: "InvalidParameterValueException", message: UNZIP_FAILED, status: 400 });
    // The simulator is still there, and the function was never created.
    expect((await lambda.send(new ListFunctionsCommand({}))).Functions?.map((f) => f.FunctionName)).not.toContain(name);
    expect((await refusal(lambda.send(new GetFunctionCommand({ FunctionName: name })))).name).toBe("ResourceNotFoundException");
    expect(readdirSync(outside)).toEqual(["secret.txt"]);
    expect(readFileSync(join(outside, "secret.txt"), "utf8")).toBe("untouched");
    expect(partials()).toEqual([]);
  });

  it("refuses a package the state directory cannot take (its folder is a file) the same way, and still answers", async () => {
    writeFileSync(join(stateDir, "code", "blocked"), "not a folder");
    const e = await refusal(create("blocked", [{ name: "index.mjs", data: HANDLER("x") }]));
    expect(e).toEqual({ name: "InvalidParameterValueException", message: UNZIP_FAILED, status: 400 });
    expect((await lambda.send(new ListFunctionsCommand({}))).Functions?.map((f) => f.FunctionName)).not.toContain("blocked");
  });

  it("takes a `./` entry (the package's root) as nothing to make", async () => {
    await create("dot-root", [{ name: "./", data: "" }, { name: "index.mjs", data: HANDLER("dot") }]);
    expect(await invoke("dot-root")).toEqual({ error: undefined, body: "dot" });
  });

  it("refuses such a package on UpdateFunctionCode and keeps running the code it had", async () => {
    await create("collide-update", [{ name: "index.mjs", data: HANDLER("before") }]);
    for (const [, files] of COLLIDING) {
      const zip = await zipFiles([{ name: "index.mjs", data: HANDLER("after") }, ...files()]);
      const e = await refusal(lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "collide-update", ZipFile: zip })));
      expect(e).toEqual({ name: "InvalidParameterValueException", message: UNZIP_FAILED, status: 400 });
    }
    expect(await invoke("collide-update")).toEqual({ error: undefined, body: "before" });
    expect(readFileSync(join(outside, "secret.txt"), "utf8")).toBe("untouched");
    expect(partials()).toEqual([]);
  });

  it("refuses such a package on PublishLayerVersion and publishes nothing", async () => {
    for (const [, files] of COLLIDING) {
      const e = await refusal(lambda.send(new PublishLayerVersionCommand({ LayerName: "collide", Content: { ZipFile: await zipFiles(files()) } })));
      expect(e).toEqual({ name: "InvalidParameterValueException", message: UNZIP_FAILED, status: 400 });
    }
    expect((await lambda.send(new ListLayerVersionsCommand({ LayerName: "collide" }))).LayerVersions).toEqual([]);
    expect(readdirSync(outside)).toEqual(["secret.txt"]);
    expect(partials()).toEqual([]);
  });
});

describe("deployment packages with symbolic links", () => {
  it("keeps links as links: one inside the package, and one to a layer's node_modules in /opt that an ES module imports through", async () => {
    const layer = await lambda.send(
      new PublishLayerVersionCommand({
        LayerName: "greet",
        Content: {
          ZipFile: await zipFiles([
            { name: "nodejs/node_modules/greet/package.json", data: JSON.stringify({ name: "greet", type: "module", exports: { ".": "./index.js", "./alias.js": "./alias.js" } }) },
            { name: "nodejs/node_modules/greet/index.js", data: `export const greeting = "hello from the layer";\n` },
            // A link inside a layer, kept too.
            { name: "nodejs/node_modules/greet/alias.js", data: "index.js", mode: LINK },
          ]),
        },
      }),
    );
    const code = await zipFiles([
      {
        name: "src/impl.mjs",
        data: `import { readlinkSync } from "node:fs";
import { greeting } from "greet";
import { greeting as viaAlias } from "greet/alias.js";
export const handler = async () => ({ greeting, viaAlias, index: readlinkSync(new URL("../index.mjs", import.meta.url)), modules: readlinkSync("node_modules") });
`,
      },
      { name: "index.mjs", data: "src/impl.mjs", mode: LINK },
      // How an ES module reaches a layer's packages on AWS (vibe/aws-esm-modules-layer-support).
      { name: "node_modules", data: "/opt/nodejs/node_modules", mode: LINK },
    ]);
    await lambda.send(new CreateFunctionCommand({ FunctionName: "linked", Runtime: "nodejs24.x", Handler: "index.handler", Role: "arn:aws:iam::000000000000:role/r", Code: { ZipFile: code }, Layers: [layer.LayerVersionArn!] }));
    expect(await invoke("linked")).toEqual({
      error: undefined,
      body: { greeting: "hello from the layer", viaAlias: "hello from the layer", index: "src/impl.mjs", modules: "/opt/nodejs/node_modules" },
    });
  });

  it("counts a link by its own size, never following it (a link to / or to itself)", async () => {
    const code = await zipFiles([
      { name: "index.mjs", data: HANDLER("loops") },
      { name: "root", data: "/", mode: LINK },
      { name: "self", data: "self", mode: LINK },
      { name: "dot", data: ".", mode: LINK },
    ]);
    const layer = await lambda.send(new PublishLayerVersionCommand({ LayerName: "loops", Content: { ZipFile: code } }));
    expect(layer.Version).toBe(1);
    await lambda.send(new CreateFunctionCommand({ FunctionName: "loops", Runtime: "nodejs24.x", Handler: "index.handler", Role: "arn:aws:iam::000000000000:role/r", Code: { ZipFile: code }, Layers: [layer.LayerVersionArn!] }));
    expect(await invoke("loops")).toEqual({ error: undefined, body: "loops" });
  });
});
