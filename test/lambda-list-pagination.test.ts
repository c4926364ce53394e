import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { beforeEach, describe, expect, it } from "vitest";
import { CreateAliasCommand, CreateFunctionCommand, LambdaClient, ListAliasesCommand, ListFunctionsCommand, ListVersionsByFunctionCommand, PublishVersionCommand, UpdateFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { zipFiles } from "@lambda-sim/core/testing";
import { perTestSimulator } from "./support/per-test-simulator.ts";
import { awsClientEnv } from "./support/aws-client-env.ts";
import { HAS_BOTO3, runBoto3 } from "./support/boto3-script.ts";

// F5 (newuser7): Lambda list markers were array offsets, so deleting the functions of a page while
// paging skipped as many survivors. Markers now name the last item returned.
const DEBIAN_AWS = "/usr/bin/aws";

const sims = perTestSimulator();
let lambda: LambdaClient;
const zip = await zipFiles([{ name: "index.mjs", data: "export const handler = async () => 1;\n" }]);

/** Debian's aws CLI against this test's simulator (2.9 reads no AWS_ENDPOINT_URL: pass --endpoint-url). */
const awsCli = (args: string[]) => promisify(execFile)(DEBIAN_AWS, ["--endpoint-url", sims.current.endpoint, ...args], { env: awsClientEnv(undefined, "/usr/bin:/bin"), encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });

async function createFunctions(prefix: string, n: number): Promise<string[]> {
  const names = Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(3, "0")}`);
  for (const name of names) {
    await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs24.x", Handler: "index.handler", Role: "arn:aws:iam::000000000000:role/r", Code: { ZipFile: zip } }));
  }
  return names;
}

async function allFunctionNames(): Promise<string[]> {
  const names: string[] = [];
  let Marker: string | undefined;
  do {
    const out = await lambda.send(new ListFunctionsCommand({ Marker }));
    names.push(...out.Functions!.map((f) => f.FunctionName!));
    Marker = out.NextMarker;
  } while (Marker !== undefined);
  return names;
}

describe("Lambda list pagination", () => {
  beforeEach(async () => {
    lambda = new LambdaClient({ ...(await sims.start()).clientConfig, maxAttempts: 1 });
    return () => lambda.destroy();
  });

  it.skipIf(!HAS_BOTO3)("a boto3 paginator deleting every function of each page deletes all 65 in one pass (skipped without boto3)", async () => {
    await createFunctions("sweep", 65);
    const r = await runBoto3(sims.current.endpoint, [
      "import os, boto3",
      "l = boto3.client('lambda', endpoint_url=os.environ['ENDPOINT'])",
      "pages = deleted = 0",
      "for p in l.get_paginator('list_functions').paginate():",
      "    pages += 1",
      "    for f in p['Functions']:",
      "        if f['FunctionName'].startswith('sweep-'):",
      "            l.delete_function(FunctionName=f['FunctionName']); deleted += 1",
      "print(pages, deleted)",
    ]);
    expect(r.stderr).toBe("");
    // ListFunctions answers at most 50 per response: two pages.
    expect(r.stdout.trim()).toBe("2 65");
    expect((await allFunctionNames()).filter((n) => n.startsWith("sweep-"))).toEqual([]);
  });

  it.skipIf(!existsSync(DEBIAN_AWS))("the aws CLI's automatic paging lists every function (skipped without /usr/bin/aws)", async () => {
    const names = await createFunctions("cli", 65);
    const r = await awsCli(["lambda", "list-functions", "--query", "Functions[].FunctionName", "--output", "json"]);
    expect(r.stderr).toBe("");
    expect((JSON.parse(r.stdout) as string[]).filter((n) => n.startsWith("cli-"))).toEqual(names);
    // --page-size sends MaxItems: 7 per request, still every function once.
    const paged = await awsCli(["lambda", "list-functions", "--page-size", "7", "--query", "Functions[].FunctionName", "--output", "json"]);
    expect((JSON.parse(paged.stdout) as string[]).filter((n) => n.startsWith("cli-"))).toEqual(names);
  });

  it("ListFunctions answers at most 50 per response even with MaxItems 10,000; above 10,000 or a marker it did not hand out is refused", async () => {
    await createFunctions("many", 51);
    const first = await lambda.send(new ListFunctionsCommand({ MaxItems: 10_000 }));
    expect(first.Functions).toHaveLength(50);
    expect(first.NextMarker).toBeTypeOf("string");
    await expect(lambda.send(new ListFunctionsCommand({ MaxItems: 10_001 }))).rejects.toMatchObject({
      name: "ValidationException",
      message: "1 validation error detected: Value '10001' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 10000",
    });
    await expect(lambda.send(new ListFunctionsCommand({ Marker: "garbage" }))).rejects.toMatchObject({ name: "InvalidParameterValueException" });
    await expect(lambda.send(new ListFunctionsCommand({ Marker: "3" }))).rejects.toMatchObject({ name: "InvalidParameterValueException" });
  });

  it("a function created while paging is listed once, after the page it sorts past", async () => {
    await createFunctions("page", 5);
    const before = await lambda.send(new ListFunctionsCommand({ MaxItems: 2 }));
    const [a, b] = before.Functions!.map((f) => f.FunctionName!);
    // Sorts before everything already listed: not on a later page; "zzz" sorts after: listed once.
    await createFunctions("0000-early", 1);
    await createFunctions("zzz", 1);
    const rest: string[] = [];
    let Marker = before.NextMarker;
    while (Marker !== undefined) {
      const out = await lambda.send(new ListFunctionsCommand({ Marker, MaxItems: 20 }));
      rest.push(...out.Functions!.map((f) => f.FunctionName!));
      Marker = out.NextMarker;
    }
    expect(rest).not.toContain(a);
    expect(rest).not.toContain(b);
    expect(rest).not.toContain("0000-early-000");
    expect(rest.filter((n) => n === "zzz-000")).toHaveLength(1);
  });

  it("versions and aliases page on their own positions: $LATEST then 1, 2, 3; aliases by name", async () => {
    const [name] = await createFunctions("versioned", 1);
    for (let i = 0; i < 3; i++) {
      await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Timeout: 4 + i }));
      await lambda.send(new PublishVersionCommand({ FunctionName: name }));
    }
    const versions: string[] = [];
    let Marker: string | undefined;
    do {
      const out = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: name, MaxItems: 1, Marker }));
      versions.push(...out.Versions!.map((v) => v.Version!));
      Marker = out.NextMarker;
    } while (Marker !== undefined);
    expect(versions).toEqual(["$LATEST", "1", "2", "3"]);
    for (const alias of ["c", "a", "b"]) await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: alias, FunctionVersion: "1" }));
    const first = await lambda.send(new ListAliasesCommand({ FunctionName: name, MaxItems: 2 }));
    expect(first.Aliases!.map((a) => a.Name)).toEqual(["a", "b"]);
    const second = await lambda.send(new ListAliasesCommand({ FunctionName: name, Marker: first.NextMarker }));
    expect(second.Aliases!.map((a) => a.Name)).toEqual(["c"]);
    expect(second.NextMarker).toBeUndefined();
  });
});
