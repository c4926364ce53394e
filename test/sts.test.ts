import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from "@aws-sdk/client-sts";
import { AwsJson1_0Protocol } from "@aws-sdk/core/protocols";
import { stsSource } from "@lambda-sim/sources";
import { startTestSimulator, type TestSimulator } from "@lambda-sim/core/testing";

// `aws sts get-caller-identity`, which deploy and test tools call first, answers with the
// simulated account (issue 13), on both of STS's protocols.
let t: TestSimulator;
beforeEach(async () => {
  t = await startTestSimulator({ sources: [stsSource], accountId: "123456789012" });
});
afterEach(() => t.close());

describe("STS GetCallerIdentity", () => {
  it("answers the simulated account's root identity over the query protocol", async () => {
    const sts = new STSClient(t.clientConfig);
    const out = await sts.send(new GetCallerIdentityCommand({}));
    expect(out).toMatchObject({ Account: "123456789012", Arn: "arn:aws:iam::123456789012:root", UserId: "123456789012" });
    expect(out.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("answers the same over AWS JSON 1.0", async () => {
    const sts = new STSClient({
      ...t.clientConfig,
      protocol: AwsJson1_0Protocol,
      protocolSettings: { defaultNamespace: "com.amazonaws.sts", serviceTarget: "AWSSecurityTokenServiceV20110615", awsQueryCompatible: true },
    });
    const out = await sts.send(new GetCallerIdentityCommand({}));
    expect(out).toMatchObject({ Account: "123456789012", Arn: "arn:aws:iam::123456789012:root", UserId: "123456789012" });
  });

  it("refuses the operations it does not simulate with a 400 naming them", async () => {
    const sts = new STSClient(t.clientConfig);
    const err = await sts.send(new GetSessionTokenCommand({})).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: "InvalidAction", $metadata: { httpStatusCode: 400 } });
    expect((err as Error).message).toContain("GetSessionToken");
  });
});
