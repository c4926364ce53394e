import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  CreateFunctionCommand,
  GetFunctionCommand,
  InvokeCommand,
  LambdaClient,
  PublishVersionCommand,
  ResourceConflictException,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from "@aws-sdk/client-lambda";
import { zipFiles } from "@lambda-sim/core/testing";
import { startLambdaSim, type LambdaSimProcess } from "./support/lambda-sim-process.ts";

/**
 * lambda-sim.yaml's `functionStates:` turns on AWS's windows after API changes ("Lambda function
 * states"): Pending after CreateFunction (Invoke, updates and PublishVersion refused), InProgress
 * after an update (invocations go on; a second update or a publish is refused). The deploy-script
 * race AWS users meet ("An update is in progress for resource") then shows here, and a waiter
 * that polls GetFunction sees the transition. Driven on the virtual clock: the windows close when
 * service time passes them.
 */
let dir: string | undefined;
let sim: LambdaSimProcess | undefined;
afterEach(async () => {
  await sim?.kill();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = sim = undefined;
});

async function start(config: string): Promise<{ lambda: LambdaClient; advance: (seconds: number) => Promise<void> }> {
  dir = mkdtempSync(join(tmpdir(), "lambda-sim-states-"));
  writeFileSync(join(dir, "lambda-sim.yaml"), config);
  sim = await startLambdaSim(["--config", join(dir, "lambda-sim.yaml"), "--in-memory", "--clock", "virtual"]);
  const endpoint = sim.endpoint;
  const lambda = new LambdaClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" }, maxAttempts: 1 });
  const advance = async (seconds: number) => {
    const r = await fetch(`${endpoint}/_sim/clock/advance`, { method: "POST", body: JSON.stringify({ seconds }) });
    expect(r.status, await r.text()).toBe(200);
  };
  return { lambda, advance };
}

const code = (text: string) => zipFiles([{ name: "index.mjs", data: text }]);
const create = async (lambda: LambdaClient, name: string) =>
  lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs24.x", Handler: "index.handler", Role: "arn:aws:iam::000000000000:role/r", Code: { ZipFile: await code("export const handler = async () => 'one';\n") } }));
const conflict = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => (e instanceof ResourceConflictException ? e.message : e));

describe("function states with functionStates: set", () => {
  it("a new function is Pending for pendingSeconds: Invoke, updates and PublishVersion are refused until it is Active", async () => {
    const { lambda, advance } = await start("functionStates: { pendingSeconds: 2, updateSeconds: 3 }\n");
    expect((await create(lambda, "fresh")).State).toBe("Pending");
    const pending = "The operation cannot be performed at this time. The function is currently in the following state: Pending";
    expect(await conflict(lambda.send(new InvokeCommand({ FunctionName: "fresh" })))).toBe(pending);
    expect(await conflict(lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "fresh", Timeout: 9 })))).toBe(pending);
    expect(await conflict(lambda.send(new PublishVersionCommand({ FunctionName: "fresh" })))).toBe(pending);
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: "fresh" }))).Configuration).toMatchObject({ State: "Pending", StateReasonCode: "Creating" });
    await advance(2);
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: "fresh" }))).Configuration).toMatchObject({ State: "Active", LastUpdateStatus: "Successful" });
    expect(Buffer.from((await lambda.send(new InvokeCommand({ FunctionName: "fresh" }))).Payload!).toString()).toBe('"one"');
  });

  it("an update is InProgress for updateSeconds: invocations go on, a second update or a publish is refused, and the SDK's waiter sees it end", async () => {
    const { lambda, advance } = await start("functionStates: { pendingSeconds: 0, updateSeconds: 3 }\n");
    await create(lambda, "deployed");
    const updated = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "deployed", ZipFile: await code("export const handler = async () => 'two';\n") }));
    expect(updated).toMatchObject({ State: "Active", LastUpdateStatus: "InProgress" });
    const arn = "arn:aws:lambda:us-east-1:000000000000:function:deployed";
    // The classic race: code, then configuration, with no waiter between.
    expect(await conflict(lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "deployed", Timeout: 9 })))).toBe(`The operation cannot be performed at this time. An update is in progress for resource: ${arn}`);
    expect(await conflict(lambda.send(new PublishVersionCommand({ FunctionName: "deployed" })))).toMatch(/An update is in progress/);
    expect((await lambda.send(new InvokeCommand({ FunctionName: "deployed" }))).StatusCode).toBe(200);
    // What a deploy script does: wait for the update, then go on.
    const waiting = waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: "deployed" });
    await advance(3);
    expect((await waiting).state).toBe("SUCCESS");
    expect((await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "deployed", Timeout: 9 }))).LastUpdateStatus).toBe("InProgress");
  });

  it("a window is work on the virtual clock: run-until-idle closes it, and the SDK's waiters, polling, see Active and Successful", async () => {
    const { lambda } = await start("functionStates: { pendingSeconds: 2, updateSeconds: 2 }\n");
    const endpoint = sim!.endpoint;
    const clock = async () => (await (await fetch(`${endpoint}/_sim/clock`)).json()) as { pendingWorkCount: number; pendingTimers: { label: string }[] };
    const runUntilIdle = async () => expect((await fetch(`${endpoint}/_sim/clock/run-until-idle`, { method: "POST", body: "{}" })).status).toBe(200);
    expect((await create(lambda, "p1")).State).toBe("Pending");
    expect((await clock()).pendingTimers.map((t) => t.label)).toContain("lambda.function-state:p1");
    const active = waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { FunctionName: "p1" });
    await runUntilIdle();
    expect((await active).state).toBe("SUCCESS");
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "p1", Timeout: 9 }));
    const updated = waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { FunctionName: "p1" });
    await runUntilIdle();
    expect((await updated).state).toBe("SUCCESS");
    expect((await clock()).pendingWorkCount).toBe(0);
  });

  it("is instant without the setting: an update right after CreateFunction goes through", async () => {
    const { lambda } = await start("functions: {}\n");
    expect((await create(lambda, "quick")).State).toBe("Pending");
    expect((await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "quick", Timeout: 9 }))).LastUpdateStatus).toBe("Successful");
  });
});
