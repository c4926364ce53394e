import { describe, expect, it } from "vitest";
import { billedDuration, endLine, InvocationLog, reportLine, startLine, TAIL_BYTES } from "./invocation-log.ts";

describe("platform log lines (aws-facts §2.5)", () => {
  it("formats START and END with spaces", () => {
    expect(startLine("abc", "$LATEST")).toBe("START RequestId: abc Version: $LATEST\n");
    expect(endLine("abc")).toBe("END RequestId: abc\n");
  });

  it.each([
    [{ requestId: "id", durationMs: 2.9, billedDurationMs: 3, memorySizeMb: 128, maxMemoryUsedMb: 36 }, "REPORT RequestId: id\tDuration: 2.90 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 36 MB\t\n"],
    [
      { requestId: "id", durationMs: 5000, billedDurationMs: 5579, memorySizeMb: 128, maxMemoryUsedMb: 40, initDurationMs: 578.07 },
      "REPORT RequestId: id\tDuration: 5000.00 ms\tBilled Duration: 5579 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\tInit Duration: 578.07 ms\t\n",
    ],
    [
      { requestId: "id", durationMs: 1001.5, billedDurationMs: 1002, memorySizeMb: 256, maxMemoryUsedMb: 50, status: "timeout" as const, errorType: "Sandbox.Timedout" },
      "REPORT RequestId: id\tDuration: 1001.50 ms\tBilled Duration: 1002 ms\tMemory Size: 256 MB\tMax Memory Used: 50 MB\tStatus: timeout\tError Type: Sandbox.Timedout\t\n",
    ],
  ])("formats REPORT with its optional fields in AWS's order (%#)", (fields, line) => {
    expect(reportLine(fields)).toBe(line);
  });

  it("bills duration rounded up to 1 ms with Init included (since Aug 2025)", () => {
    expect(billedDuration(2.9, undefined)).toBe(3);
    expect(billedDuration(26.73, undefined)).toBe(27);
    expect(billedDuration(5000, 578.07)).toBe(5579);
    expect(billedDuration(3, undefined)).toBe(3);
  });
});

describe("InvocationLog", () => {
  it("keeps exactly the last 4 KB", () => {
    const log = new InvocationLog();
    for (let i = 0; i < 2000; i++) log.append(`line ${i}\n`);
    const tail = Buffer.from(log.tailBase64(), "base64").toString();
    expect(Buffer.byteLength(tail)).toBe(TAIL_BYTES);
    expect(tail.endsWith("line 1999\n")).toBe(true);
  });

  it("returns everything when the log is short", () => {
    const log = new InvocationLog();
    log.append("a\n");
    log.append("b\n");
    expect(Buffer.from(log.tailBase64(), "base64").toString()).toBe("a\nb\n");
  });
});
