import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { CreateAliasCommand, GetProvisionedConcurrencyConfigCommand, InvokeCommand, LambdaClient, PublishVersionCommand, PutProvisionedConcurrencyConfigCommand, UpdateFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { CloudWatchClient, GetMetricDataCommand, GetMetricStatisticsCommand, ListMetricsCommand, type Dimension, type Statistic } from "@aws-sdk/client-cloudwatch";
import { cloudwatchMetricsSource } from "@lambda-sim/sources";
import { type TestSimulator } from "@lambda-sim/core/testing";
import { perTestSimulator } from "./support/per-test-simulator.ts";
import type { SimulatorOptions } from "@lambda-sim/core";
import { until } from "./support/until.ts";

/**
 * AWS/Lambda's provisioned concurrency metrics, read as a user reads them after traffic on an
 * alias with provisioned concurrency: ProvisionedConcurrentExecutions, ProvisionedConcurrencyUtilization
 * (Maximum), ProvisionedConcurrencyInvocations and ProvisionedConcurrencySpilloverInvocations (Sum).
 */
const codeDir = fileURLToPath(new URL("./fixtures/functions/node-basic/", import.meta.url));
const FN: Dimension[] = [{ Name: "FunctionName", Value: "pc" }];
const ALIAS: Dimension[] = [...FN, { Name: "Resource", Value: "pc:live" }];

let t: TestSimulator | undefined;
/** Started by each test, closed after it. */
const sims = perTestSimulator();
let lambda: LambdaClient;
let cw: CloudWatchClient;
const dirs: string[] = [];

afterEach(() => {
  lambda?.destroy();
  cw?.destroy();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Function `pc` (its handler sleeps `ms`) with the CloudWatch metrics source. */
async function start(opts: SimulatorOptions = {}): Promise<void> {
  lambda?.destroy();
  cw?.destroy();
  t = await sims.start({ functions: [{ functionName: "pc", runtime: "nodejs24.x", handler: "index.sleep", codeDir }], sources: [cloudwatchMetricsSource], ...opts });
  lambda = new LambdaClient({ ...t.clientConfig, maxAttempts: 1 });
  cw = new CloudWatchClient(t.clientConfig);
}

const ready = (qualifier: string) => until(async () => (await lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: "pc", Qualifier: qualifier }))).Status === "READY");

async function stat(metric: string, statistic: Statistic, dimensions: Dimension[]): Promise<number | undefined> {
  const out = await cw.send(
    new GetMetricStatisticsCommand({ Namespace: "AWS/Lambda", MetricName: metric, Dimensions: dimensions, StartTime: new Date(Date.now() - 3_600_000), EndTime: new Date(Date.now() + 60_000), Period: 3600, Statistics: [statistic] }),
  );
  const points = out.Datapoints ?? [];
  return points.length === 0 ? undefined : points.reduce((n, p) => n + p[statistic]!, 0);
}

const invokeLive = (ms: number) => lambda.send(new InvokeCommand({ FunctionName: "pc", Qualifier: "live", Payload: Buffer.from(JSON.stringify({ ms })) }));

describe("provisioned concurrency metrics", () => {
  it("counts invocations on provisioned environments, spillover to on-demand ones, the peak in use and the utilization, per alias and per function", async () => {
    await start();
    const { Version } = await lambda.send(new PublishVersionCommand({ FunctionName: "pc" }));
    await lambda.send(new CreateAliasCommand({ FunctionName: "pc", Name: "live", FunctionVersion: Version }));
    await lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: "pc", Qualifier: "live", ProvisionedConcurrentExecutions: 2 }));
    await ready("live");

    // One at a time: a provisioned environment each time (1 of 2 in use).
    await invokeLive(1);
    await invokeLive(1);
    // Three at once: both provisioned environments busy (2 of 2), the third spills over on demand.
    await Promise.all([invokeLive(400), invokeLive(400), invokeLive(400)]);
    // $LATEST has no provisioned concurrency: neither provisioned nor spillover.
    await lambda.send(new InvokeCommand({ FunctionName: "pc", Payload: Buffer.from('{"ms":1}') }));

    for (const dims of [ALIAS, FN]) {
      expect(await stat("ProvisionedConcurrencyInvocations", "Sum", dims)).toBe(4);
      expect(await stat("ProvisionedConcurrencySpilloverInvocations", "Sum", dims)).toBe(1);
      expect(await stat("ProvisionedConcurrentExecutions", "Maximum", dims)).toBe(2);
    }
    expect(await stat("ProvisionedConcurrencyUtilization", "Maximum", ALIAS)).toBe(1);
    expect(await stat("ProvisionedConcurrencyUtilization", "Minimum", ALIAS)).toBe(0.5);
    // The utilization is a version's or alias's: AWS gives no per-function figure.
    expect(await stat("ProvisionedConcurrencyUtilization", "Maximum", FN)).toBeUndefined();
    // Every invocation still counts in Invocations (5 on the version, 1 on $LATEST).
    expect(await stat("Invocations", "Sum", FN)).toBe(6);

    // The alias's invocations count under it too, as on AWS (with ExecutedVersion: cloudwatch-metrics.test.ts).
    expect(await stat("Invocations", "Sum", ALIAS)).toBe(5);
    const listed = await cw.send(new ListMetricsCommand({ Namespace: "AWS/Lambda", Dimensions: [{ Name: "Resource", Value: "pc:live" }] }));
    expect(new Set(listed.Metrics?.map((m) => m.MetricName))).toEqual(
      new Set(["ProvisionedConcurrencyInvocations", "ProvisionedConcurrencySpilloverInvocations", "ProvisionedConcurrentExecutions", "ProvisionedConcurrencyUtilization", "Invocations", "Errors", "Duration"]),
    );

    const data = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(Date.now() - 3_600_000),
        EndTime: new Date(Date.now() + 60_000),
        MetricDataQueries: [{ Id: "spill", MetricStat: { Metric: { Namespace: "AWS/Lambda", MetricName: "ProvisionedConcurrencySpilloverInvocations", Dimensions: ALIAS }, Period: 3600, Stat: "Sum" } }],
      }),
    );
    expect(data.MetricDataResults?.[0]?.Values).toEqual([1]);
  });

  it("after a restart, the restored config's metrics still name its alias", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "lambda-sim-pc-metrics-"));
    dirs.push(stateDir);
    await start({ stateDir });
    const { Version } = await lambda.send(new PublishVersionCommand({ FunctionName: "pc" }));
    await lambda.send(new CreateAliasCommand({ FunctionName: "pc", Name: "live", FunctionVersion: Version }));
    await lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: "pc", Qualifier: "live", ProvisionedConcurrentExecutions: 1 }));
    await ready("live");
    await t!.close();

    await start({ stateDir });
    await ready("live");
    await invokeLive(1);
    expect(await stat("ProvisionedConcurrencyInvocations", "Sum", ALIAS)).toBe(1);
    expect(await stat("ProvisionedConcurrentExecutions", "Maximum", ALIAS)).toBe(1);
    expect(await stat("ProvisionedConcurrencyInvocations", "Sum", [...FN, { Name: "Resource", Value: `pc:${Version}` }])).toBeUndefined();
  });

  it("per function, ProvisionedConcurrentExecutions counts every alias's provisioned environments in use together", async () => {
    await start();
    const blue = await lambda.send(new PublishVersionCommand({ FunctionName: "pc" }));
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "pc", MemorySize: 256 }));
    const green = await lambda.send(new PublishVersionCommand({ FunctionName: "pc" }));
    for (const [Name, FunctionVersion] of [["blue", blue.Version], ["green", green.Version]] as const) {
      await lambda.send(new CreateAliasCommand({ FunctionName: "pc", Name, FunctionVersion }));
      await lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: "pc", Qualifier: Name, ProvisionedConcurrentExecutions: 1 }));
      await ready(Name);
    }
    // One invocation on each alias at once: each alias's one environment busy, two for the function.
    const invoke = (Qualifier: string) => lambda.send(new InvokeCommand({ FunctionName: "pc", Qualifier, Payload: Buffer.from('{"ms":400}') }));
    await Promise.all([invoke("blue"), invoke("green")]);
    expect(await stat("ProvisionedConcurrencyInvocations", "Sum", FN)).toBe(2);
    expect(await stat("ProvisionedConcurrentExecutions", "Maximum", [...FN, { Name: "Resource", Value: "pc:blue" }])).toBe(1);
    expect(await stat("ProvisionedConcurrentExecutions", "Maximum", [...FN, { Name: "Resource", Value: "pc:green" }])).toBe(1);
    expect(await stat("ProvisionedConcurrentExecutions", "Maximum", FN)).toBe(2);
  });
});
