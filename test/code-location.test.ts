import { randomBytes } from "node:crypto";
import { readdirSync, readlinkSync } from "node:fs";
import { get } from "node:http";
import { describe, expect, it } from "vitest";
import { CreateFunctionCommand, DeleteFunctionCommand, GetFunctionCommand, ListFunctionsCommand, GetLayerVersionCommand, LambdaClient, PublishLayerVersionCommand, PublishVersionCommand, UpdateFunctionCodeCommand } from "@aws-sdk/client-lambda";
import { VirtualClock } from "@lambda-sim/core";
import { zipFiles } from "@lambda-sim/core/testing";
import { perTestSimulator } from "./support/per-test-simulator.ts";
import { until } from "./support/until.ts";
import { zipEntries } from "./support/zip-entries.ts";

/**
 * GetFunction's Code.Location and GetLayerVersion's Content.Location are links a user downloads
 * with no credentials (`curl -o code.zip "$(aws lambda get-function ... --query Code.Location)"`),
 * valid 10 minutes, to the package's files; errors as S3 gives them for a presigned URL.
 */
const sims = perTestSimulator();
const START = Date.UTC(2026, 5, 1, 12);

async function start() {
  const clock = new VirtualClock(START);
  clock.startRunningDue();
  const t = await sims.start({ clock });
  return { t, clock, lambda: new LambdaClient({ ...t.clientConfig, maxAttempts: 1 }) };
}

const PACKAGE = [
  { name: "index.mjs", data: "export const handler = async () => 1;\n" },
  { name: "lib/util.mjs", data: "export const x = 1;\n" },
  { name: "bin/tool", data: "#!/bin/sh\necho hi\n", mode: 0o100755 },
  { name: "current", data: "lib", mode: 0o120777 },
];

async function create(lambda: LambdaClient, name: string) {
  await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs24.x", Handler: "index.handler", Role: "arn:aws:iam::000000000000:role/r", Code: { ZipFile: await zipFiles(PACKAGE) } }));
}

async function download(location: string): Promise<{ status: number; type: string | null; body: Buffer }> {
  const res = await fetch(location);
  return { status: res.status, type: res.headers.get("content-type"), body: Buffer.from(await res.arrayBuffer()) };
}

describe("Code.Location", () => {
  it("downloads the function's package with no credentials: the same files, modes and links", async () => {
    const { lambda } = await start();
    await create(lambda, "fn");
    const { Code } = await lambda.send(new GetFunctionCommand({ FunctionName: "fn" }));
    expect(Code?.RepositoryType).toBe("S3");
    const got = await download(Code!.Location!);
    expect(got.status).toBe(200);
    expect(got.type).toBe("application/zip");
    const files = await zipEntries(got.body);
    expect([...files.keys()].sort()).toEqual(["bin/tool", "current", "index.mjs", "lib/util.mjs"]);
    expect(files.get("index.mjs")!.text).toBe(PACKAGE[0]!.data);
    expect(files.get("bin/tool")!.mode & 0o111).not.toBe(0);
    expect(files.get("current")!.mode & 0o170000).toBe(0o120000);
    expect(files.get("current")!.text).toBe("lib");
  });

  it("expires after 10 minutes of service time, refuses a changed link, and names a replaced package as gone; a published version's link stays", async () => {
    const { lambda, t } = await start();
    await create(lambda, "fn");
    await lambda.send(new PublishVersionCommand({ FunctionName: "fn" }));
    const latest = (await lambda.send(new GetFunctionCommand({ FunctionName: "fn" }))).Code!.Location!;
    const v1 = (await lambda.send(new GetFunctionCommand({ FunctionName: "fn", Qualifier: "1" }))).Code!.Location!;

    const forged = await download(latest.replace("/fn/", "/other/"));
    expect(forged.status).toBe(403);
    expect(forged.body.toString()).toContain("<Code>SignatureDoesNotMatch</Code>");
    // Anything added to the signature or written otherwise in Expires is a changed link too (newuser9 P1-1).
    const expires = /Expires=(\d+)/.exec(latest)![1]!;
    for (const changed of [`${latest}x`, `${latest}0`, latest.replace(`Expires=${expires}`, `Expires=${expires}.0`), latest.replace(`Expires=${expires}`, `Expires=0x${Number(expires).toString(16)}`)]) {
      expect((await download(changed)).status, changed).toBe(403);
    }

    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "fn", ZipFile: await zipFiles([{ name: "index.mjs", data: "export const handler = async () => 2;\n" }]) }));
    const gone = await download(latest);
    expect(gone.status).toBe(404);
    expect(gone.body.toString()).toContain("<Code>NoSuchKey</Code>");
    expect((await download(v1)).status).toBe(200);

    // As a user moves a virtual clock: lambda-sim clock advance 601s.
    expect((await fetch(`${t.endpoint}/_sim/clock/advance`, { method: "POST", body: JSON.stringify({ seconds: 601 }) })).status).toBe(200);
    const expired = await download(v1);
    expect(expired.status).toBe(403);
    expect(expired.body.toString()).toContain("<Code>AccessDenied</Code><Message>Request has expired</Message>");
  });

  it("survives a package deleted during its download: the download is cut, the simulator goes on", async () => {
    const { lambda } = await start();
    // Files enough that the zip is still being written when the function goes.
    const files = Array.from({ length: 24 }, (_, i) => ({ name: `blob-${i}.bin`, data: randomBytes(1024 * 1024) }));
    await lambda.send(new CreateFunctionCommand({ FunctionName: "big", Runtime: "nodejs24.x", Handler: "index.handler", Role: "arn:aws:iam::000000000000:role/r", Code: { ZipFile: await zipFiles([{ name: "index.mjs", data: "export const handler = async () => 1;\n" }, ...files]) } }));
    const location = (await lambda.send(new GetFunctionCommand({ FunctionName: "big" }))).Code!.Location!;
    const res = await new Promise<import("node:http").IncomingMessage>((resolve) => get(location, resolve));
    expect(res.statusCode).toBe(200);
    // The client reads a first chunk, then stops reading while the function is deleted.
    await new Promise((r) => res.once("data", r));
    res.pause();
    await lambda.send(new DeleteFunctionCommand({ FunctionName: "big" }));
    const ended = new Promise<void>((resolve) => {
      res.on("end", resolve);
      res.on("error", () => resolve());
      res.on("aborted", () => resolve());
      res.on("close", () => resolve());
    });
    res.resume();
    await ended;
    // Still serving.
    expect((await lambda.send(new ListFunctionsCommand({}))).Functions).toEqual([]);
  });

  // The simulator runs in this process: its open files are /proc/self/fd's.
  it.skipIf(process.platform !== "linux")("closes the package's files when a download is abandoned, and HEAD opens none", async () => {
    const { lambda } = await start();
    // Incompressible files, so that the zip is still being written when the client goes.
    const files = Array.from({ length: 8 }, (_, i) => ({ name: `held-${i}.bin`, data: randomBytes(2 * 1024 * 1024) }));
    await lambda.send(new CreateFunctionCommand({ FunctionName: "held", Runtime: "nodejs24.x", Handler: "index.handler", Role: "arn:aws:iam::000000000000:role/r", Code: { ZipFile: await zipFiles([{ name: "index.mjs", data: "export const handler = async () => 1;\n" }, ...files]) } }));
    const location = (await lambda.send(new GetFunctionCommand({ FunctionName: "held" }))).Code!.Location!;
    const openPackageFiles = () =>
      readdirSync("/proc/self/fd").filter((fd) => {
        try {
          return /held-\d+\.bin$/.test(readlinkSync(`/proc/self/fd/${fd}`));
        } catch {
          return false;
        }
      }).length;

    for (let i = 0; i < 10; i++) {
      // A client that reads a first chunk and hangs up (curl interrupted, a timeout).
      const res = await new Promise<import("node:http").IncomingMessage>((resolve) => get(location, resolve));
      expect(res.statusCode).toBe(200);
      await new Promise((r) => res.once("data", r));
      res.destroy();
    }
    for (let i = 0; i < 5; i++) {
      const head = await fetch(location, { method: "HEAD" });
      expect(head.status).toBe(200);
      expect(head.headers.get("content-type")).toBe("application/zip");
    }
    await until(() => openPackageFiles() === 0, 5_000);
    // And a whole download still works.
    const whole = await download(location);
    expect((await zipEntries(whole.body)).size).toBe(9);
  });

  it("GetLayerVersion's Content.Location downloads the layer's files", async () => {
    const { lambda } = await start();
    const published = await lambda.send(new PublishLayerVersionCommand({ LayerName: "shared", Content: { ZipFile: await zipFiles([{ name: "nodejs/node_modules/shared/index.js", data: "module.exports = 1;\n" }]) } }));
    expect((await download(published.Content!.Location!)).status).toBe(200);
    const { Content } = await lambda.send(new GetLayerVersionCommand({ LayerName: "shared", VersionNumber: 1 }));
    const files = await zipEntries((await download(Content!.Location!)).body);
    expect([...files.keys()]).toEqual(["nodejs/node_modules/shared/index.js"]);
  });
});
