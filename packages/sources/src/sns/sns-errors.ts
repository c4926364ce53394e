import { AwsError } from "@lambda-sim/core";

/**
 * SNS's errors (botocore sns 2010-03-31: code, status). SNS speaks only the query protocol: the
 * code is the query code (`NotFound`, `InvalidParameter`), the messages AWS's own wording.
 */
function snsError(code: string, status: number, message: string): AwsError {
  return new AwsError(code, status, message);
}

export const snsErrors = {
  /** "Invalid parameter: TopicArn", "Invalid parameter: Attributes Reason: ..." (AWS prefixes every reason). */
  invalidParameter: (what: string) => snsError("InvalidParameter", 400, `Invalid parameter: ${what}`),
  /** InvalidParameterValueException's query code is `ParameterValueInvalid` (botocore). */
  invalidParameterValue: (message: string) => snsError("ParameterValueInvalid", 400, message),
  topicNotFound: () => snsError("NotFound", 404, "Topic does not exist"),
  subscriptionNotFound: () => snsError("NotFound", 404, "Subscription does not exist"),
  resourceNotFound: () => snsError("ResourceNotFound", 404, "Resource does not exist"),
  tooManyEntries: () => snsError("TooManyEntriesInBatchRequest", 400, "The batch request contains more entries than permissible."),
  emptyBatch: () => snsError("EmptyBatchRequest", 400, "The batch request doesn't contain any entries."),
  batchIdsNotDistinct: () => snsError("BatchEntryIdsNotDistinct", 400, "Two or more batch entries in the request have the same Id."),
  invalidBatchEntryId: () => snsError("InvalidBatchEntryId", 400, "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long."),
  batchTooLong: () => snsError("BatchRequestTooLong", 400, "The length of all the messages put together is more than the limit."),
  tagLimitExceeded: () => snsError("TagLimitExceeded", 400, "Could not complete request: tag quota of per resource exceeded"),
  /** The model's ValidationException (what the shared validator finds that SNS has no word for). */
  validation: (message: string) => snsError("ValidationError", 400, message),
  invalidAction: (name: string) => snsError("InvalidAction", 400, `The action ${name} is not valid for this web service.`),
  unknownOperation: (name: string) => snsError("InvalidAction", 400, `lambda-sim does not simulate the SNS operation '${name}'`),
  internal: () => snsError("InternalError", 500, "Internal Error"),
};
