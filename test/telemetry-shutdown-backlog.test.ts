import { describe, expect, it } from "vitest";
import { InvokeCommand, UpdateFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { createExtensionFunction, telemetryShipper, FLOOD_HANDLER, extensionTestbed } from "./support/extension-function.ts";
import { until } from "./support/until.ts";

/**
 * The Extensions API's Shutdown phase: every extension registered for it gets SHUTDOWN, and the
 * extensions have up to 2,000 ms in total for their own shutdown work. A Telemetry API backlog
 * (the environment is frozen between invokes, so a flood waits whole for its listener) must not
 * use that budget up: a listener that takes 200 ms per batch (one that forwards each batch to its
 * backend before answering) would need 17 batches x 200 ms for a 4 MiB backlog. The extension
 * still gets SHUTDOWN, and what the backlog could not deliver is counted in platform.logsDropped.
 */
const SLOW_SHIPPER = telemetryShipper({ timeoutMs: 25, maxBytes: 262144 }, 200);


const bed = extensionTestbed();

describe("the Shutdown phase with a Telemetry API backlog", () => {
  it("sends SHUTDOWN to an extension whose listener answers each batch in 200 ms, and counts what it could not deliver", async () => {
    await createExtensionFunction(bed.lambda, "backlog", { extensions: { shipper: SLOW_SHIPPER }, handler: FLOOD_HANDLER, timeout: 20, variables: { REPORT_URL: bed.reports.url } });
    const out = await bed.lambda.send(new InvokeCommand({ FunctionName: "backlog", Payload: Buffer.from("{}") }));
    expect(Buffer.from(out.Payload!).toString()).toBe('"done"');

    // A configuration change retires the environment: its Shutdown phase starts.
    await bed.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "backlog", Description: "retire" }));
    await until(() => bed.reports.got("shutdown").length > 0, 15_000);
    expect(bed.reports.got("shutdown")[0]).toMatchObject({ eventType: "SHUTDOWN", shutdownReason: "spindown" });

    const records = bed.reports.got("telemetry").flat() as { type: string; record: any }[];
    const missed = records.filter((r) => r.type === "platform.logsDropped").reduce((n, r) => n + r.record.droppedRecords, 0);
    const delivered = records.filter((r) => r.type === "function" && String(r.record).includes("line-")).length;
    expect(delivered + missed).toBe(8000);
    expect(records.some((r) => r.type === "platform.report" && r.record.requestId === out.$metadata.requestId)).toBe(true);
  }, 60_000);
});
