import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { CreateFunctionCommand, GetFunctionCommand, LambdaClient, PreconditionFailedException, UpdateFunctionCodeCommand } from "@aws-sdk/client-lambda";
import { zipFiles } from "@lambda-sim/core/testing";
import { perTestSimulator } from "./support/per-test-simulator.ts";

/**
 * Two deploys racing with the RevisionId they both read (the optimistic lock AWS offers for
 * exactly this): one lands, the other is refused with PreconditionFailedException, however long
 * unpacking their packages takes (review15 F10: both answered 200, the second silently winning).
 */
const sims = perTestSimulator();

describe("UpdateFunctionCode with a RevisionId", () => {
  it("lets one of two concurrent updates with the same RevisionId land and refuses the other", async () => {
    const t = await sims.start();
    const lambda = new LambdaClient({ ...t.clientConfig, maxAttempts: 1 });
    const pkg = (n: number) => zipFiles([{ name: "index.mjs", data: `export const handler = async () => ${n};\n` }, { name: "blob.bin", data: randomBytes(8 * 1024 * 1024) }]);
    await lambda.send(new CreateFunctionCommand({ FunctionName: "raced", Runtime: "nodejs24.x", Handler: "index.handler", Role: "arn:aws:iam::000000000000:role/r", Code: { ZipFile: await zipFiles([{ name: "index.mjs", data: "export const handler = async () => 0;\n" }]) } }));
    const { Configuration } = await lambda.send(new GetFunctionCommand({ FunctionName: "raced" }));
    const [a, b] = [await pkg(1), await pkg(2)];
    const results = await Promise.allSettled([a, b].map((ZipFile) => lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "raced", ZipFile, RevisionId: Configuration!.RevisionId }))));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const refused = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(PreconditionFailedException);
    lambda.destroy();
  });
});
