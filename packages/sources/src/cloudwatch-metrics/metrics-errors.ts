import { AwsError } from "@lambda-sim/core";

/**
 * CloudWatch's exceptions (botocore cloudwatch 2010-08-01). The service is awsQueryCompatible: the
 * JSON protocol answers the shape name (InvalidParameterValueException) with the query code
 * (InvalidParameterValue) in `x-amzn-query-error`; the query protocol answers the query code.
 */
function cwError(name: string, queryCode: string, message: string, status = 400): AwsError {
  return new AwsError(name, status, message, { messageKey: "message", queryCode });
}

export const metricsErrors = {
  invalidValue: (message: string) => cwError("InvalidParameterValueException", "InvalidParameterValue", message),
  invalidCombination: (message: string) => cwError("InvalidParameterCombinationException", "InvalidParameterCombination", message),
  missingParameter: (message: string) => cwError("MissingRequiredParameterException", "MissingParameter", message),
  invalidNextToken: () => cwError("InvalidNextToken", "InvalidNextToken", "The service found an invalid or expired NextToken."),
  invalidAction: (name: string) => cwError("InvalidAction", "InvalidAction", `Could not find operation ${name} for version 2010-08-01`),
  unknownOperation: (name: string) => cwError("UnknownOperationException", "InvalidAction", `lambda-sim does not simulate the CloudWatch operation '${name}'`),
  serialization: (message: string) => cwError("SerializationException", "SerializationException", message),
  internal: () => cwError("InternalServiceFault", "InternalServiceError", "Internal service error.", 500),
};
