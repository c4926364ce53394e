import { beforeEach, describe, expect, it } from "vitest";
import { CloudWatchClient, ListMetricsCommand, paginateListMetrics } from "@aws-sdk/client-cloudwatch";
import { cloudwatchMetricsSource } from "@lambda-sim/sources";
import { perTestSimulator } from "./support/per-test-simulator.ts";

// F5 follow-up: ListMetrics' NextToken was an offset, so a metric that started reporting while a
// caller paged repeated or skipped one. Tokens now name the last metric returned.
const sims = perTestSimulator({ sources: [cloudwatchMetricsSource] });
let cw: CloudWatchClient;

/** A finished invocation of `functionName`, as the invoker reports it (no process needed). */
const finished = (functionName: string) =>
  sims.current.sim.telemetry.emit({ type: "invocation.finished", requestId: `r-${functionName}`, functionName, version: "$LATEST", environmentId: "e", durationMs: 5, billedDurationMs: 5, maxMemoryUsedMb: 64, status: "success" });

const key = (m: { Namespace?: string; MetricName?: string; Dimensions?: { Name?: string; Value?: string }[] }) => `${m.Namespace} ${m.MetricName} ${JSON.stringify(m.Dimensions ?? [])}`;

describe("CloudWatch ListMetrics pagination", () => {
  beforeEach(async () => {
    cw = new CloudWatchClient({ ...(await sims.start()).clientConfig, maxAttempts: 1 });
    return () => cw.destroy();
  });

  it("the JS SDK's paginator lists every metric once, 500 a page, while new functions start reporting", async () => {
    for (let i = 0; i < 200; i++) finished(`fn-${String(i).padStart(3, "0")}`);
    const before = new Set<string>();
    let pages = 0;
    for await (const p of paginateListMetrics({ client: cw }, { Namespace: "AWS/Lambda" })) {
      if (pages++ === 0) {
        expect(p.Metrics).toHaveLength(500);
        finished("fn-000a"); // reports while the caller pages
      }
      for (const m of p.Metrics ?? []) {
        expect(before.has(key(m))).toBe(false);
        before.add(key(m));
      }
    }
    expect(pages).toBeGreaterThan(1);
    const all = [];
    for await (const p of paginateListMetrics({ client: cw }, { Namespace: "AWS/Lambda" })) all.push(...(p.Metrics ?? []));
    // Everything listed before the new function reported was listed once.
    const old = all.filter((m) => !JSON.stringify(m.Dimensions).includes("fn-000a"));
    expect(old.map(key).sort()).toEqual([...before].filter((k) => !k.includes("fn-000a")).sort());
  });

  it("a NextToken not handed out (the old offset token, garbage) is InvalidNextToken", async () => {
    for (const NextToken of [Buffer.from("500").toString("base64url"), "garbage"]) {
      await expect(cw.send(new ListMetricsCommand({ NextToken }))).rejects.toMatchObject({ name: "InvalidNextToken" });
    }
  });
});
