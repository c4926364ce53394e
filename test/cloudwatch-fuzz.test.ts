import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { serviceModel } from "@lambda-sim/core";
import { cloudwatchLogsSource, cloudwatchMetricsSource, sqsSource } from "@lambda-sim/sources";
import { startTestSimulator, type TestSimulator } from "@lambda-sim/core/testing";
import { BAD_VALUES, inputMembers, mutate, pick, sampleValue, seeded } from "./support/model-requests.ts";

// Issue 12's rule for CloudWatch Logs and CloudWatch (issue 15): a seeded stream of malformed
// requests on every protocol they speak (Logs: AWS JSON 1.1; CloudWatch: AWS JSON 1.0 with
// awsQueryCompatible errors, and the query protocol) gets AWS-shaped 4xx answers, never a 5xx,
// and the data already there stays readable.

const codeDir = fileURLToPath(new URL("./fixtures/functions/cloudwatch/", import.meta.url));
const auth = (service: string) => `AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`;
const SERVICES = [
  { service: "logs", prefix: "Logs_20140328", version: "1.1", model: serviceModel("logs"), queryCompatible: false },
  { service: "monitoring", prefix: "GraniteServiceVersion20100801", version: "1.0", model: serviceModel("cloudwatch"), queryCompatible: true },
];
const QUERY_VALUES = ["abc", "-1", "99999999999", "", "%ff%fe", "%C3%28", "true", "1e400", "%", "x%zz", "0", "2026-01-01T00:00:00Z", "p99.5"];

let t: TestSimulator;
beforeAll(async () => {
  t = await startTestSimulator({ functions: [{ functionName: "f", runtime: "nodejs24.x", handler: "index.handler", codeDir }], sources: [sqsSource, cloudwatchLogsSource, cloudwatchMetricsSource] });
  const lambda = new LambdaClient(t.clientConfig);
  await lambda.send(new InvokeCommand({ FunctionName: "f", Payload: JSON.stringify({ id: 1 }) }));
  lambda.destroy();
});
afterAll(() => t.close());

interface Request {
  what: string;
  headers: Record<string, string>;
  body: string | Buffer;
  check(res: Response, text: string): string | undefined;
}

async function served(s: (typeof SERVICES)[number]): Promise<string[]> {
  const out: string[] = [];
  for (const op of Object.keys(s.model.operations)) {
    const res = await fetch(t.endpoint, { method: "POST", headers: { "x-amz-target": `${s.prefix}.${op}`, "content-type": `application/x-amz-json-${s.version}`, authorization: auth(s.service) }, body: "{}" });
    if (!(await res.text()).includes("UnknownOperationException")) out.push(op);
  }
  return out;
}

describe("malformed CloudWatch and CloudWatch Logs requests", () => {
  it("get AWS-shaped 4xx answers on every protocol, never a 5xx", async () => {
    const rnd = seeded(15);
    const requests: Request[] = [];
    for (const s of SERVICES) {
      const ops = await served(s);
      expect(ops.length).toBeGreaterThanOrEqual(3);
      const headers = (op: string) => ({ "x-amz-target": `${s.prefix}.${op}`, "content-type": `application/x-amz-json-${s.version}`, authorization: auth(s.service) });
      const check = (res: Response, text: string) => {
        if (s.queryCompatible && !/^[\w.]+;(Sender|Receiver)$/.test(res.headers.get("x-amzn-query-error") ?? "")) return "no x-amzn-query-error";
        try {
          return typeof JSON.parse(text).__type === "string" ? undefined : "no __type";
        } catch {
          return "not JSON";
        }
      };
      for (let round = 0; round < 8; round++) {
        for (const op of ops) {
          const sample = sampleValue(s.model, s.model.operations[op]!.input ?? "", 0) ?? {};
          const members = inputMembers(s.model, op);
          const text = JSON.stringify(sample);
          const swapped = members.length === 0 ? { Unknown: pick(rnd, BAD_VALUES) } : { ...(sample as object), [pick(rnd, members).name]: pick(rnd, BAD_VALUES) };
          requests.push({ what: `${s.service} ${op} mutated`, headers: headers(op), body: JSON.stringify(mutate(rnd, sample)), check });
          requests.push({ what: `${s.service} ${op} member swapped`, headers: headers(op), body: JSON.stringify(swapped), check });
          requests.push({ what: `${s.service} ${op} truncated`, headers: headers(op), body: text.slice(0, Math.floor(rnd() * text.length)), check });
        }
        if (s.service === "monitoring") {
          for (const op of [...ops, "NoSuchAction"]) {
            const names = inputMembers(s.model, op).map((m) => m.locationName ?? m.name);
            const extra = ["Dimensions.member.1.Name", "Dimensions.member.1.Value", "Statistics.member.1", "ExtendedStatistics.member.1", "MetricDataQueries.member.1.Id", "MetricDataQueries.member.1.Expression", "MetricDataQueries.member.1.MetricStat.Period"];
            const params = [`Action=${op}`, "Version=2010-08-01", ...[...names, pick(rnd, extra), pick(rnd, extra)].map((n) => `${n}=${pick(rnd, QUERY_VALUES)}`)];
            requests.push({
              what: `monitoring query ${op}`,
              headers: { "content-type": "application/x-www-form-urlencoded", authorization: auth("monitoring") },
              body: params.join("&"),
              check: (_res, text) => (/<Code>[^<]+<\/Code>/.test(text) ? undefined : "no <Code>"),
            });
          }
        }
      }
    }
    expect(requests.length).toBeGreaterThan(200);
    const problems: string[] = [];
    for (let i = 0; i < requests.length; i += 4) {
      await Promise.all(
        requests.slice(i, i + 4).map(async (r) => {
          const res = await fetch(t.endpoint, { method: "POST", headers: r.headers, body: r.body });
          const text = await res.text();
          const problem = res.status >= 500 ? "a 5xx" : res.status < 400 ? undefined : r.check(res, text);
          if (problem !== undefined) problems.push(`${r.what}: ${problem} (${res.status} ${text.slice(0, 200)})`);
        }),
      );
    }
    expect(problems.slice(0, 20)).toEqual([]);
    const groups = await fetch(t.endpoint, { method: "POST", headers: { "x-amz-target": "Logs_20140328.DescribeLogGroups", "content-type": "application/x-amz-json-1.1", authorization: auth("logs") }, body: "{}" });
    expect(((await groups.json()) as { logGroups: { logGroupName: string }[] }).logGroups.map((g) => g.logGroupName)).toContain("/aws/lambda/f");
  }, 120_000);
});
