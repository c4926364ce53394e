import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { CreateAliasCommand, CreateEventSourceMappingCommand, LambdaClient, ListEventSourceMappingsCommand, PublishVersionCommand, ResourceConflictException, UpdateFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { sqsSource } from "@lambda-sim/sources";
import { type TestSimulator } from "@lambda-sim/core/testing";
import { perTestSimulator } from "./support/per-test-simulator.ts";

/**
 * A mapping names a qualified function: one source may map to `orders:blue` and `orders:green`
 * (AWS's conflict is the source plus the qualified function ARN), and ListEventSourceMappings with
 * a qualified FunctionName lists that version's or alias's mappings only.
 */
const codeDir = fileURLToPath(new URL("./fixtures/functions/node-basic/", import.meta.url));
const FN_ARN = "arn:aws:lambda:us-east-1:000000000000:function:orders";
const QUEUE_ARN = "arn:aws:sqs:us-east-1:000000000000:jobs";

let t: TestSimulator | undefined;
/** Started by each test, closed after it. */
const sims = perTestSimulator();
let lambda: LambdaClient;
let sqs: SQSClient;

afterEach(() => {
  lambda?.destroy();
  sqs?.destroy();
});

/** Function `orders` with versions 1 and 2, alias `blue` on 1 and `green` on 2, and queue `jobs`. */
async function start(): Promise<void> {
  t = await sims.start({ functions: [{ functionName: "orders", runtime: "nodejs24.x", handler: "index.echo", codeDir }], sources: [sqsSource] });
  lambda = new LambdaClient({ ...t.clientConfig, maxAttempts: 1 });
  sqs = new SQSClient(t.clientConfig);
  await sqs.send(new CreateQueueCommand({ QueueName: "jobs" }));
  await lambda.send(new PublishVersionCommand({ FunctionName: "orders" }));
  await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "orders", MemorySize: 256 }));
  await lambda.send(new PublishVersionCommand({ FunctionName: "orders" }));
  await lambda.send(new CreateAliasCommand({ FunctionName: "orders", Name: "blue", FunctionVersion: "1" }));
  await lambda.send(new CreateAliasCommand({ FunctionName: "orders", Name: "green", FunctionVersion: "2" }));
}

const map = (FunctionName: string) => lambda.send(new CreateEventSourceMappingCommand({ FunctionName, EventSourceArn: QUEUE_ARN, Enabled: false }));
const listed = async (FunctionName: string) => ((await lambda.send(new ListEventSourceMappingsCommand({ FunctionName }))).EventSourceMappings ?? []).map((m) => m.FunctionArn).sort();

describe("event source mappings of a version or alias", () => {
  it("maps one source to two aliases, and conflicts only on the same qualified function", async () => {
    await start();
    const green = await map("orders:green");
    const blue = await map("orders:blue");
    expect([green.FunctionArn, blue.FunctionArn]).toEqual([`${FN_ARN}:green`, `${FN_ARN}:blue`]);
    // The unqualified function and a version are other targets again.
    await map("orders");
    await map(`${FN_ARN}:2`);

    const again = map(`${FN_ARN}:blue`);
    await expect(again).rejects.toBeInstanceOf(ResourceConflictException);
    await expect(again).rejects.toMatchObject({ $metadata: { httpStatusCode: 409 }, message: expect.stringContaining(`Please update or delete the existing mapping with UUID ${blue.UUID}`) });
    await expect(map("orders")).rejects.toBeInstanceOf(ResourceConflictException);
  });

  it("lists a qualified FunctionName's mappings only; the unqualified name lists every mapping of the function", async () => {
    await start();
    for (const fn of ["orders:green", "orders:blue", "orders", "orders:2"]) await map(fn);
    expect(await listed("orders:blue")).toEqual([`${FN_ARN}:blue`]);
    expect(await listed(`${FN_ARN}:green`)).toEqual([`${FN_ARN}:green`]);
    expect(await listed("orders:2")).toEqual([`${FN_ARN}:2`]);
    expect(await listed("orders")).toEqual([FN_ARN, `${FN_ARN}:2`, `${FN_ARN}:blue`, `${FN_ARN}:green`].sort());
    expect(await listed(FN_ARN)).toHaveLength(4);
  });
});
