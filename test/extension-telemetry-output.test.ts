import { describe, expect, it } from "vitest";
import { InvokeCommand, UpdateFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { createExtensionFunction, telemetryShipper, extensionTestbed } from "./support/extension-function.ts";
import { until } from "./support/until.ts";

/**
 * An extension subscribed to the Telemetry API's `function` stream (a log shipper) gets every line
 * the function writes, as on AWS, whose Telemetry API has no per-invocation cap: also past the
 * 1 MiB the console and dashboard previews stop at, and never lambda-sim's own note about those
 * previews ("[lambda-sim] N bytes of function output not shown here ...") as a function record.
 */
const SHIPPER = telemetryShipper({ timeoutMs: 25, maxBytes: 262144 });

/** 1,200 lines of 1 KB (about 1.2 MB, past the previews' 1 MiB), then a last one. */
const LOUD = `exports.handler = async () => {
  const pad = "x".repeat(1000);
  for (let i = 0; i < 1200; i++) console.log("line-" + String(i).padStart(4, "0") + " " + pad);
  console.log("last-line");
  return "done";
};`;

const bed = extensionTestbed();

describe("Telemetry API function records", () => {
  it("gets every line past the previews' 1 MiB, and no lambda-sim note as a function record", async () => {
    await createExtensionFunction(bed.lambda, "loud", { extensions: { shipper: SHIPPER }, handler: LOUD, timeout: 10, variables: { REPORT_URL: bed.reports.url } });
    const out = await bed.lambda.send(new InvokeCommand({ FunctionName: "loud", Payload: Buffer.from("{}") }));
    expect(Buffer.from(out.Payload!).toString()).toBe('"done"');
    const requestId = out.$metadata.requestId;
    const records = () => bed.reports.got("telemetry").flat() as { type: string; record: any }[];
    // The environment is frozen between invocations, as on AWS: its retirement (SHUTDOWN) delivers the rest.
    await bed.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "loud", Description: "retire" }));
    const lines = () => records().filter((r) => r.type === "function").map((r) => String(r.record));
    const mine = () => lines().filter((l) => l.includes("line-") || l.includes("last-line"));
    // The shipper's batches may land in any order on a loaded machine: wait for all of them.
    await until(() => records().some((r) => r.type === "platform.report" && r.record.requestId === requestId) && mine().length >= 1201, 30_000);
    expect(lines().filter((l) => l.includes("[lambda-sim]"))).toEqual([]);
    expect(mine()).toHaveLength(1201);
    expect(mine().filter((l) => l.includes("last-line"))).toHaveLength(1);
    // Each POST within the subscription's maxBytes (its records' JSON), however much came while
    // the last was on its way: 1.2 MB of lines in several batches, not one.
    const batchBytes = bed.reports.got("telemetry").map((batch) => (batch as unknown[]).reduce((n: number, r) => n + Buffer.byteLength(JSON.stringify(r)), 0));
    expect(Math.max(...batchBytes)).toBeLessThanOrEqual(262_144);
  });
});
