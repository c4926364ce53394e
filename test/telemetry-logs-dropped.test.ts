import { describe, expect, it } from "vitest";
import { InvokeCommand, UpdateFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { TelemetryRecorder } from "@lambda-sim/core/testing";
import { createExtensionFunction, telemetryShipper, FLOOD_HANDLER, extensionTestbed } from "./support/extension-function.ts";
import { until } from "./support/until.ts";

/**
 * A Telemetry API subscriber that does not keep up with a function flooding stdout: lambda-sim
 * holds a bounded buffer for it (16 times its maxBytes), drops the function records past that,
 * and tells it with a platform.logsDropped record ({ reason, droppedRecords, droppedBytes }, as
 * AWS's Telemetry and Logs APIs do), instead of buffering without end. Every line is either
 * delivered or counted as dropped. The functions get 512 MB: MemorySize holds the flooding runtime
 * and the shipper's buffers together, as on AWS, and 128 MB ran out now and then (CI at e8cfc1e).
 */
const SLOW_SHIPPER = telemetryShipper({ timeoutMs: 25, maxBytes: 262144 }, 40);


const bed = extensionTestbed();

describe("a Telemetry API subscriber that falls behind", () => {
  it("gets platform.logsDropped with the count of the records it missed, and every other line", async () => {
    await createExtensionFunction(bed.lambda, "flood", { extensions: { shipper: SLOW_SHIPPER }, handler: FLOOD_HANDLER, timeout: 20, memorySize: 512, variables: { REPORT_URL: bed.reports.url } });
    const out = await bed.lambda.send(new InvokeCommand({ FunctionName: "flood", Payload: Buffer.from("{}") }));
    expect(Buffer.from(out.Payload!).toString()).toBe('"done"');
    const requestId = out.$metadata.requestId;
    const records = () => bed.reports.got("telemetry").flat() as { type: string; record: any }[];
    await bed.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "flood", Description: "retire" }));
    await until(() => records().some((r) => r.type === "platform.report" && r.record.requestId === requestId), 20_000);

    const dropped = records().filter((r) => r.type === "platform.logsDropped");
    expect(dropped.length).toBeGreaterThan(0);
    expect(dropped[0]!.record).toMatchObject({ reason: expect.any(String), droppedRecords: expect.any(Number), droppedBytes: expect.any(Number) });
    const missed = dropped.reduce((n, r) => n + r.record.droppedRecords, 0);
    const delivered = records().filter((r) => r.type === "function" && String(r.record).includes("line-")).length;
    expect(missed).toBeGreaterThan(0);
    expect(delivered + missed).toBe(8000);
    // droppedBytes counts the log lines' own bytes (as a delivered line's record measures), not our envelope around each.
    const sizes = records().filter((r) => r.type === "function" && String(r.record).includes("line-")).map((r) => Buffer.byteLength(String(r.record)));
    const droppedBytes = dropped.reduce((n, r) => n + r.record.droppedBytes, 0);
    expect(droppedBytes).toBeGreaterThanOrEqual(missed * Math.min(...sizes));
    expect(droppedBytes).toBeLessThanOrEqual(missed * Math.max(...sizes));
    // No POST over the subscription's maxBytes.
    for (const batch of bed.reports.got("telemetry") as unknown[][]) expect(batch.reduce((n: number, r) => n + Buffer.byteLength(JSON.stringify(r)), 0)).toBeLessThanOrEqual(262_144);
  }, 60_000);

  it("says once on the console that a subscriber without platform records is not told of its drops", async () => {
    const events = new TelemetryRecorder(bed.t.sim.telemetry);
    try {
      const shipper = telemetryShipper({ timeoutMs: 25, maxBytes: 262144 }, 40, ["function"]);
      await createExtensionFunction(bed.lambda, "flood-no-platform", { extensions: { shipper }, handler: FLOOD_HANDLER, timeout: 20, memorySize: 512, variables: { REPORT_URL: bed.reports.url } });
      const out = await bed.lambda.send(new InvokeCommand({ FunctionName: "flood-no-platform", Payload: Buffer.from("{}") }));
      expect(Buffer.from(out.Payload!).toString()).toBe('"done"');
      const warnings = () => events.of("simulator.warning").filter((e) => e.message.includes("flood-no-platform") && e.message.includes("platform.logsDropped"));
      await until(() => warnings().length > 0);
      const shutdowns = bed.reports.got("shutdown").length;
      await bed.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "flood-no-platform", Description: "retire" }));
      await until(() => bed.reports.got("shutdown").length > shutdowns, 20_000);
      expect(warnings()).toHaveLength(1);
    } finally {
      events.dispose();
    }
  }, 60_000);
});
