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
  // The message AWS answers a second CreateLogGroup with (as SDK error reports quote it).
  groupExists: () => logsError("ResourceAlreadyExistsException", "The specified log group already exists"),
  tooManyTags: (resourceName: string) => new AwsError("TooManyTagsException", 400, "A resource can have no more than 50 tags.", { messageKey: "message", fields: { resourceName } }),
  // CloudWatch Logs User Guide, "Protecting log groups from deletion", Error handling.
  deletionProtected: () => logsError("ValidationException", "Cannot delete log group with deletion protection enabled. Disable deletion protection first."),
  invalidParameter: (message: string) => logsError("InvalidParameterException", message),
  invalidToken: () => logsError("InvalidParameterException", "The specified nextToken is invalid."),
  serialization: (message: string) => logsError("SerializationException", message),
  unknownOperation: (name: string) => logsError("UnknownOperationException", `lambda-sim does not simulate the CloudWatch Logs operation '${name}'`),
  internal: () => logsError("ServiceUnavailableException", "The service cannot complete the request.", 500),
};
