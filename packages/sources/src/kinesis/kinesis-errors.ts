import { AwsError } from "@lambda-sim/core";

/**
 * Kinesis's exceptions (botocore kinesis 2013-12-02 service-2.json: all 400, sender faults) with the
 * messages AWS answers (aws-facts §8.1). Over AWS JSON 1.1 the body is `{"__type", "message"}`.
 */
function kinesisError(code: string, message: string): AwsError {
  return new AwsError(code, 400, message, { messageKey: "message" });
}

export const kinesisErrors = {
  streamNotFound: (name: string, accountId: string) => kinesisError("ResourceNotFoundException", `Stream ${name} under account ${accountId} not found.`),
  shardNotFound: (shardId: string, name: string, accountId: string) =>
    kinesisError("ResourceNotFoundException", `Shard ${shardId} in stream ${name} under account ${accountId} does not exist`),
  streamInUse: (name: string, accountId: string) => kinesisError("ResourceInUseException", `Stream ${name} under account ${accountId} already exists.`),
  streamNotActive: (name: string, accountId: string) => kinesisError("ResourceInUseException", `Stream ${name} under account ${accountId} is not ACTIVE: it is DELETING.`),
  invalidArgument: (message: string) => kinesisError("InvalidArgumentException", message),
  /** Smithy's constraint check, as the service words it. */
  validation: (value: string, member: string, constraint: string) =>
    kinesisError("ValidationException", `1 validation error detected: Value ${value} at '${member}' failed to satisfy constraint: ${constraint}`),
  expiredIterator: (issuedAt: number, now: number) =>
    kinesisError(
      "ExpiredIteratorException",
      `Iterator expired. The iterator was created at time ${new Date(issuedAt).toUTCString()} while right now it is ${new Date(now).toUTCString()} which is further in the future than the tolerated delay of 300000 milliseconds.`,
    ),
  limitExceeded: (message: string) => kinesisError("LimitExceededException", message),
  throughputExceeded: (shardId: string, name: string, accountId: string) =>
    kinesisError("ProvisionedThroughputExceededException", `Rate exceeded for shard ${shardId} in stream ${name} under account ${accountId}.`),
};
