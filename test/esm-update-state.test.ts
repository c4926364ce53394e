import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CreateEventSourceMappingCommand, DeleteEventSourceMappingCommand, GetEventSourceMappingCommand, ResourceNotFoundException, UpdateEventSourceMappingCommand } from "@aws-sdk/client-lambda";
import { CreateQueueCommand } from "@aws-sdk/client-sqs";
import { sqsArn as arn, startSqsEsm } from "./support/sqs-esm-harness.ts";

const codeDir = fileURLToPath(new URL("./fixtures/functions/node-basic/", import.meta.url));
const recorder = { functionName: "quick", runtime: "nodejs24.x", handler: "index.sqsRecorder", codeDir, timeout: 3 } as const;

describe("UpdateEventSourceMapping's State and the missing-mapping answer", () => {
  it("answers Enabling when it enables a disabled mapping, Disabling when it disables an enabled one, Updating otherwise", async () => {
    const { lambda, sqs } = await startSqsEsm([recorder]);
    await sqs.send(new CreateQueueCommand({ QueueName: "q" }));
    const { UUID } = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "quick", EventSourceArn: arn("q"), Enabled: false }));
    const update = async (input: { Enabled?: boolean; BatchSize?: number }) => (await lambda.send(new UpdateEventSourceMappingCommand({ UUID, ...input }))).State;
    // Disabled: a change that keeps it disabled is an update, not a disabling.
    expect(await update({ BatchSize: 5 })).toBe("Updating");
    expect(await update({ Enabled: false })).toBe("Updating");
    expect(await update({ Enabled: true })).toBe("Enabling");
    // Enabled now.
    expect(await update({ BatchSize: 6 })).toBe("Updating");
    expect(await update({ Enabled: true, BatchSize: 7 })).toBe("Updating");
    expect(await update({ Enabled: false })).toBe("Disabling");
    expect((await lambda.send(new GetEventSourceMappingCommand({ UUID }))).State).toBe("Disabled");
  });

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
