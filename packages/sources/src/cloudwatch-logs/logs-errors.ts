import { AwsError } from "@lambda-sim/core";

/**
 * CloudWatch Logs' exceptions (botocore logs 2014-03-28: 400, sender faults) with the messages the
 * service answers. Model-constraint failures come back as InvalidParameterException with Coral's
 * `1 validation error detected: ...` text.
 */
function logsError(code: string, message: string, status = 400): AwsError {
  return new AwsError(code, status, message, { messageKey: "message" });
}

export const logsErrors = {
  groupNotFound: () => logsError("ResourceNotFoundException", "The specified log group does not exist."),
  streamNotFound: () => logsError("ResourceNotFoundException", "The specified log stream does not exist."),
  invalidParameter: (message: string) => logsError("InvalidParameterException", message),
  invalidToken: () => logsError("InvalidParameterException", "The specified nextToken is invalid."),
  serialization: (message: string) => logsError("SerializationException", message),
  unknownOperation: (name: string) => logsError("UnknownOperationException", `lambda-sim does not simulate the CloudWatch Logs operation '${name}'`),
  internal: () => logsError("ServiceUnavailableException", "The service cannot complete the request.", 500),
};
