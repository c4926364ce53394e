import { describe, expect, it } from "vitest";
import { isAwsError } from "../errors/aws-error.ts";
import { faultSchema } from "./fault-spec.ts";
import { FaultNames, parseReference, simulatorNames } from "./fault-names.ts";

const VIEWS: Record<string, unknown> = { queues: [{ name: "orders" }, { name: "app-DlqQueue-X1" }], buses: { buses: ["audit"] } };
const names = () => {
  const n = new FaultNames(simulatorNames(() => ["notify", "app-WorkerFunction-A1"], (v) => VIEWS[v]));
  n.useLogicalNames({ WorkerFunction: { kind: "function", name: "app-WorkerFunction-A1" }, DlqQueue: { kind: "queue", name: "app-DlqQueue-X1" } });
  return n;
};
const resolve = (input: unknown) => names().resolve(faultSchema.parse(input), "fault");
const refusal = (input: unknown): string => {
  try {
    resolve(input);
  } catch (e) {
    if (isAwsError(e)) return `${e.statusCode} ${e.code}: ${e.message}`;
    throw e;
  }
  return "accepted";
};

describe("FaultNames", () => {
  it("resolves logical ids in function, source and target, keeping a target's qualifier", () => {
    expect(resolve({ kind: "delivery-failure", function: "WorkerFunction", target: "lambda:WorkerFunction:live" }).spec).toMatchObject({ function: "app-WorkerFunction-A1", target: "lambda:app-WorkerFunction-A1:live" });
    expect(resolve({ kind: "error", source: "sqs:DlqQueue" }).spec.source).toBe("sqs:app-DlqQueue-X1");
  });

  it("refuses a name the simulator does not have with a 404 listing names and logical ids of that kind", () => {
    expect(refusal({ kind: "error", function: "notfiy" })).toBe("404 ResourceNotFoundException: fault.function: Function not found: notfiy (the simulator has: notify, app-WorkerFunction-A1, WorkerFunction)");
    expect(refusal({ kind: "delivery-failure", target: "events:audti" })).toBe("404 ResourceNotFoundException: fault.target: Event bus not found: audti (the simulator has: audit, default)");
  });

  it("does not check a kind whose source is not loaded, nor an ARN; warns when an ARN names no function yet", () => {
    expect(refusal({ kind: "error", source: "kinesis:clicks" })).toBe("accepted");
    expect(refusal({ kind: "delivery-failure", target: "events:default" })).toBe("accepted");
    expect(resolve({ kind: "error", source: "arn:aws:sqs:us-east-1:000000000000:elsewhere" }).warning).toBeUndefined();
    expect(resolve({ kind: "error", function: "arn:aws:lambda:us-east-1:000000000000:function:later" }).warning).toBe("no function named 'later' yet: the fault applies once it is created");
    expect(resolve({ kind: "error", function: "arn:aws:lambda:us-east-1:000000000000:function:notify" }).warning).toBeUndefined();
  });

  it("parses service:NAME[:QUALIFIER] of the services in REFERENCE_KINDS only", () => {
    expect(parseReference("lambda:notify:live")).toEqual({ service: "lambda", kind: "function", name: "notify", qualifier: "live" });
    expect(parseReference("events:default")).toEqual({ service: "events", kind: "bus", name: "default", qualifier: undefined });
    for (const other of ["notify", "notify:live", "arn:aws:sqs:us-east-1:000000000000:q", "constructor:x", "https://example.com"]) expect(parseReference(other), other).toBeUndefined();
  });
});
