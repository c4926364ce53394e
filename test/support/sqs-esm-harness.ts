import { afterEach } from "vitest";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { FunctionDefinition } from "@lambda-sim/core";
import { startTestSimulator, type TestSimulator } from "@lambda-sim/core/testing";
import { sqsSource } from "@lambda-sim/sources";

/** A simulator with the SQS source, and a Lambda and an SQS client on it. */
export interface SqsEsmHarness {
  t: TestSimulator;
  lambda: LambdaClient;
  sqs: SQSClient;
}

export const sqsArn = (name: string) => `arn:aws:sqs:us-east-1:000000000000:${name}`;

const open: SqsEsmHarness[] = [];
// Closed after each test, passing or failing.
afterEach(async () => {
  for (const h of open.splice(0)) {
    h.lambda.destroy();
    h.sqs.destroy();
    await h.t.close();
  }
});

/** Starts the simulator for an SQS event source mapping test (the Lambda client does not retry). */
export async function startSqsEsm(functions: FunctionDefinition[], timeScale = 1): Promise<SqsEsmHarness> {
  const t = await startTestSimulator({ functions, sources: [sqsSource], timeScale });
  const h = { t, lambda: new LambdaClient({ ...t.clientConfig, maxAttempts: 1 }), sqs: new SQSClient(t.clientConfig) };
  open.push(h);
  return h;
}
