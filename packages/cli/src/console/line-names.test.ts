import type { TelemetryEvent } from "@lambda-sim/core";
import { describe, expect, it } from "vitest";
import { describeEvent } from "./event-line.ts";
import { LONG_NAMES, ShortNames, sourceName } from "./line-names.ts";

const at = { time: 0 };
const line = (e: object, names = LONG_NAMES) => describeEvent({ ...at, ...e } as TelemetryEvent, names)?.text;

/** A snapshot's views from a simulator that ran the walkthrough's template (newuser14 F14). */
function workshopNames(): ShortNames {
  const names = new ShortNames();
  names.useViews({
    logicalIds: { "workshop-ConsumeOrderFunction-S52YZ67CBQTD": "ConsumeOrderFunction", "workshop-TickFunction-0WSOMTI4R0ND": "TickFunction" },
    resourceIds: { queue: { "workshop-OrdersQueue-TY3A0419MT9O": "OrdersQueue", "workshop-OrdersDLQ-DUSYFPYEUYQN": "OrdersDLQ" }, rule: { "workshop-TickFunctionEvery5-WW2QOR2W9ZN3": "TickFunctionEvery5" } },
    functions: [{ name: "workshop-ConsumeOrderFunction-S52YZ67CBQTD", versions: [] }, { name: "versioned", versions: ["1"] }],
  });
  return names;
}

describe("tail's short names (newuser14 F14)", () => {
  const consumer = "workshop-ConsumeOrderFunction-S52YZ67CBQTD";
  const queueArn = "arn:aws:sqs:us-east-1:000000000000:workshop-OrdersQueue-TY3A0419MT9O";

  it("names a template's function, queue and rule by logical id, with no `:$LATEST` beside a function with no other version", () => {
    const names = workshopNames();
    const finished = { type: "invocation.finished", requestId: "9e956342-1111-2222-3333-444455556666", functionName: consumer, version: "$LATEST", environmentId: "e", durationMs: 310.7, billedDurationMs: 311, maxMemoryUsedMb: 51, status: "success", via: { eventSourceArn: queueArn } };
    expect(line(finished, names)).toBe("invoked ConsumeOrderFunction 9e956342 via sqs:OrdersQueue: 310.7 ms (billed 311), 51 MB");
    expect(line(finished)).toBe(`invoked ${consumer}:$LATEST request 9e956342-1111-2222-3333-444455556666 via sqs:workshop-OrdersQueue-TY3A0419MT9O: 310.7 ms, billed 311 ms, 51 MB`);
    const delivered = { type: "schedule.delivered", scheduleArn: "arn:aws:events:us-east-1:000000000000:rule/workshop-TickFunctionEvery5-WW2QOR2W9ZN3", targetId: "TickFunctionEvery5LambdaTarget", targetArn: "arn:aws:lambda:us-east-1:000000000000:function:workshop-TickFunction-0WSOMTI4R0ND", attempt: 1, requestId: "a1e9b25e-0000-0000-0000-000000000000" };
    expect(line(delivered, names)).toBe("schedule TickFunctionEvery5: delivered to lambda:TickFunction (request a1e9b25e)");
    const moved = { type: "message.moved-to-dlq", queue: "workshop-OrdersQueue-TY3A0419MT9O", deadLetterQueue: "workshop-OrdersDLQ-DUSYFPYEUYQN", messageId: "ca3326f9-0000-0000-0000-000000000000", receiveCount: 3, maxReceiveCount: 3 };
    expect(line(moved, names)).toBe("message ca3326f9 moved from OrdersQueue to DLQ OrdersDLQ: received 3 times (maxReceiveCount 3)");
  });

  it("keeps the qualifier of a function that has versions, and learns of a version published later", () => {
    const names = workshopNames();
    expect(names.fn("versioned", "$LATEST")).toBe("versioned:$LATEST");
    expect(names.fn("versioned", "1")).toBe("versioned:1");
    expect(names.fn("other", "$LATEST")).toBe("other");
    names.note({ ...at, type: "function.changed", functionName: "other", change: "published", version: "1" } as TelemetryEvent);
    expect(names.fn("other", "$LATEST")).toBe("other:$LATEST");
  });

  it("writes a function's ARN as lambda:NAME, as lambda-sim.yaml does", () => {
    expect(sourceName("arn:aws:lambda:us-east-1:000000000000:function:bill")).toBe("lambda:bill");
    expect(sourceName("arn:aws:lambda:us-east-1:000000000000:function:bill:live")).toBe("lambda:bill:live");
    expect(sourceName("arn:aws:kinesis:us-east-1:000000000000:stream/clicks")).toBe("kinesis:clicks");
  });
});
