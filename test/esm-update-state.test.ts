import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DeleteEventSourceMappingCommand, GetEventSourceMappingCommand, ResourceNotFoundException, UpdateEventSourceMappingCommand } from "@aws-sdk/client-lambda";
import { startSqsEsm } from "./support/sqs-esm-harness.ts";

const codeDir = fileURLToPath(new URL("./fixtures/functions/node-basic/", import.meta.url));
const recorder = { functionName: "quick", runtime: "nodejs24.x", handler: "index.sqsRecorder", codeDir, timeout: 3 } as const;

describe("a missing event source mapping", () => {
  it("names the request's own id, not the UUID asked for, in the not-found message of Get, Update and Delete", async () => {
    const { lambda } = await startSqsEsm([recorder]);
    const UUID = "a1b2c3d4-5678-90ab-cdef-11111EXAMPLE";
    for (const command of [new GetEventSourceMappingCommand({ UUID }), new UpdateEventSourceMappingCommand({ UUID, BatchSize: 5 }), new DeleteEventSourceMappingCommand({ UUID })]) {
      const err = (await lambda.send(command as GetEventSourceMappingCommand).catch((e: unknown) => e)) as ResourceNotFoundException;
      expect(err).toBeInstanceOf(ResourceNotFoundException);
      const requestId = err.$metadata.requestId!;
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(err.message).toBe(`The resource you requested does not exist. (Service: Lambda, Status Code: 404, Request ID: ${requestId})`);
    }
  });
});
