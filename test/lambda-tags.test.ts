import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import {
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  DeleteEventSourceMappingCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  InvalidParameterValueException,
  LambdaClient,
  ListTagsCommand,
  PublishVersionCommand,
  ResourceNotFoundException,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-lambda";
import { CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { sqsSource } from "@lambda-sim/sources";
import { zipFiles } from "@lambda-sim/core/testing";
import { perTestSimulator } from "./support/per-test-simulator.ts";
import { awsClientEnv } from "./support/aws-client-env.ts";

/**
 * Lambda tags (TagResource / UntagResource / ListTags, `/2017-03-31/tags/{ARN}`) on functions and
 * event source mappings, CreateFunction's and CreateEventSourceMapping's Tags, GetFunction's
 * Tags: what an IaC tool reads back after it creates (Terraform's aws_lambda_function, CDK).
 */
const run = promisify(execFile);
const DEBIAN_AWS = "/usr/bin/aws";
const ARN = "arn:aws:lambda:us-east-1:000000000000";

const sims = perTestSimulator({ sources: [sqsSource] });

/** A client of a new simulator (a restart when one runs), on `stateDir` if given. */
async function start(stateDir?: string): Promise<LambdaClient> {
  return new LambdaClient({ ...(await sims.start({ stateDir })).clientConfig, maxAttempts: 1 });
}

async function create(lambda: LambdaClient, name: string, tags?: Record<string, string>) {
  return lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: "nodejs24.x",
      Handler: "index.handler",
      Role: "arn:aws:iam::000000000000:role/lambda-role",
      Code: { ZipFile: await zipFiles([{ name: "index.mjs", data: "export const handler = async () => 1;\n" }]) },
      Tags: tags,
    }),
  );
}

const refusal = async (p: Promise<unknown>) => (await p.then(() => undefined, (e: unknown) => e)) as Error & { name: string };

describe("Lambda tags", () => {
  it("keeps CreateFunction's Tags, shows them in GetFunction and ListTags, merges TagResource and removes UntagResource's keys; a restart keeps them", async () => {
    const dir = sims.stateDir();
    let lambda = await start(dir);
    await create(lambda, "tagged", { team: "a", env: "dev" });
    await create(lambda, "plain");
    const fn = `${ARN}:function:tagged`;
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: "tagged" }))).Tags).toEqual({ team: "a", env: "dev" });
    // No tags: GetFunction has no Tags member, ListTags an empty map.
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: "plain" }))).Tags).toBeUndefined();
    expect((await lambda.send(new ListTagsCommand({ Resource: `${ARN}:function:plain` }))).Tags).toEqual({});
    await lambda.send(new TagResourceCommand({ Resource: fn, Tags: { env: "prod", owner: "ada" } }));
    await lambda.send(new UntagResourceCommand({ Resource: fn, TagKeys: ["team", "missing"] }));
    expect((await lambda.send(new ListTagsCommand({ Resource: fn }))).Tags).toEqual({ env: "prod", owner: "ada" });
    // The function's tags, whichever version GetFunction is asked for.
    await lambda.send(new PublishVersionCommand({ FunctionName: "tagged" }));
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: "tagged", Qualifier: "1" }))).Tags).toEqual({ env: "prod", owner: "ada" });
    lambda.destroy();
    lambda = await start(dir);
    expect((await lambda.send(new ListTagsCommand({ Resource: fn }))).Tags).toEqual({ env: "prod", owner: "ada" });
    // A deleted function's tags go with it: one created again under the name starts with none.
    await lambda.send(new DeleteFunctionCommand({ FunctionName: "tagged" }));
    const gone = await refusal(lambda.send(new ListTagsCommand({ Resource: fn })));
    expect(gone).toBeInstanceOf(ResourceNotFoundException);
    expect(gone.message).toBe(`Function not found: ${fn}`);
    await create(lambda, "tagged");
    expect((await lambda.send(new ListTagsCommand({ Resource: fn }))).Tags).toEqual({});
    lambda.destroy();
  });

  it("refuses what AWS refuses: a version or alias ARN, more than 50 tags, an aws: key, over-long keys and values, a malformed ARN", async () => {
    const lambda = await start();
    await create(lambda, "f");
    const fn = `${ARN}:function:f`;
    const qualified = await refusal(lambda.send(new TagResourceCommand({ Resource: `${fn}:1`, Tags: { a: "b" } })));
    expect([qualified.name, qualified.message]).toEqual(["InvalidParameterValueException", "Tags on function aliases and versions are not supported. Please specify a function ARN."]);
    const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, "v"]));
    await lambda.send(new TagResourceCommand({ Resource: fn, Tags: fifty }));
    const over = await refusal(lambda.send(new TagResourceCommand({ Resource: fn, Tags: { one: "more" } })));
    expect([over.name, over.message]).toEqual(["InvalidParameterValueException", "Number of tags exceeds resource tag limit."]);
    expect(await refusal(create(lambda, "g", { ...fifty, k50: "v" }))).toBeInstanceOf(InvalidParameterValueException);
    for (const tags of [{ "aws:team": "a" }, { ["k".repeat(129)]: "v" }, { k: "v".repeat(257) }] as Record<string, string>[]) {
      expect(await refusal(lambda.send(new TagResourceCommand({ Resource: `${ARN}:function:g`, Tags: tags }))), JSON.stringify(tags).slice(0, 30)).toBeInstanceOf(ResourceNotFoundException);
      expect(await refusal(create(lambda, "g", tags)), JSON.stringify(tags).slice(0, 30)).toBeInstanceOf(InvalidParameterValueException);
    }
    // 128 and 256 characters are allowed.
    await create(lambda, "g", { ["k".repeat(128)]: "v".repeat(256) });
    const malformed = await refusal(lambda.send(new ListTagsCommand({ Resource: "arn:aws:sqs:us-east-1:000000000000:q" })));
    expect(malformed.name).toBe("ValidationException");
    lambda.destroy();
  });

  it("tags an event source mapping: CreateEventSourceMapping's Tags, TagResource and ListTags on its ARN, gone with the mapping", async () => {
    const lambda = await start();
    await create(lambda, "f");
    await new SQSClient(sims.current.clientConfig).send(new CreateQueueCommand({ QueueName: "q" }));
    const created = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "f", EventSourceArn: "arn:aws:sqs:us-east-1:000000000000:q", Tags: { stage: "dev" } }));
    const esm = created.EventSourceMappingArn!;
    expect(esm).toBe(`${ARN}:event-source-mapping:${created.UUID}`);
    await lambda.send(new TagResourceCommand({ Resource: esm, Tags: { team: "a" } }));
    expect((await lambda.send(new ListTagsCommand({ Resource: esm }))).Tags).toEqual({ stage: "dev", team: "a" });
    await lambda.send(new DeleteEventSourceMappingCommand({ UUID: created.UUID }));
    const gone = await refusal(lambda.send(new ListTagsCommand({ Resource: esm })));
    expect(gone).toBeInstanceOf(ResourceNotFoundException);
    lambda.destroy();
  });

  it.skipIf(!existsSync(DEBIAN_AWS))(`work from Debian's aws 2.9: list-tags, tag-resource, untag-resource, get-function's Tags${existsSync(DEBIAN_AWS) ? "" : " (skipped: no /usr/bin/aws)"}`, async () => {
    const lambda = await start();
    await create(lambda, "nodefn", { team: "a", env: "dev" });
    const env = awsClientEnv(undefined, "/usr/bin:/bin");
    const aws = async (...args: string[]) => (await run(DEBIAN_AWS, ["--endpoint-url", sims.current.endpoint, "--output", "json", "lambda", ...args], { env, timeout: 30_000 })).stdout;
    const fn = `${ARN}:function:nodefn`;
    expect(JSON.parse(await aws("list-tags", "--resource", fn))).toEqual({ Tags: { team: "a", env: "dev" } });
    await aws("tag-resource", "--resource", fn, "--tags", "k1=v1");
    await aws("untag-resource", "--resource", fn, "--tag-keys", "env");
    expect(JSON.parse(await aws("get-function", "--function-name", "nodefn", "--query", "Tags"))).toEqual({ team: "a", k1: "v1" });
    lambda.destroy();
  }, 90_000);
});
