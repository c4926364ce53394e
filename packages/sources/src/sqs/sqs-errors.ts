import { AwsError } from "@lambda-sim/core";

/**
 * SQS errors for both protocols (aws-facts §7): JSON answers `__type` with the modern name and the
 * legacy code in `x-amzn-query-error`; the query protocol answers the legacy code.
 */
function sqsError(name: string, legacyCode: string, message: string): AwsError {
  return new AwsError(name, 400, message, { messageKey: "message", queryCode: legacyCode });
}

export const sqsErrors = {
  queueDoesNotExist: () => sqsError("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist."),
  invalidParameterValue: (message: string) => sqsError("InvalidParameterValueException", "InvalidParameterValue", message),
  /** `Value <v> for parameter <p> is invalid. Reason: <reason>` */
  invalidValue: (value: unknown, parameter: string, reason: string) =>
    sqsError("InvalidParameterValueException", "InvalidParameterValue", `Value ${value === undefined ? "" : `${String(value)} `}for parameter ${parameter} is invalid. Reason: ${reason}`),
  missingParameter: (parameter: string) =>
    sqsError("MissingRequiredParameterException", "MissingParameter", `The request must contain the parameter ${parameter}.`),
  queueNameExists: (name: string) => sqsError("QueueNameExists", "QueueAlreadyExists", `A queue already exists with the same name and a different value for attribute(s) ${name}`),
  /** AWS's message names 60 s whatever the wait (aws-facts §7 "Delete/recreate"); another configured wait is named instead. */
  queueDeletedRecently: (seconds: number) =>
    sqsError("QueueDeletedRecently", "AWS.SimpleQueueService.QueueDeletedRecently", `You must wait ${seconds} seconds after deleting a queue before you can create another with the same name.`),
  invalidAttributeName: (name: string) => sqsError("InvalidAttributeName", "InvalidAttributeName", `Unknown Attribute ${name}.`),
  invalidAttributeValue: (message: string) => sqsError("InvalidAttributeValue", "InvalidAttributeValue", message),
  receiptHandleIsInvalid: (handle: string) =>
    sqsError("ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", `The input receipt handle "${handle}" is not a valid receipt handle.`),
  messageNotInflight: () => sqsError("MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight", "The message referred to isn't in flight."),
  purgeInProgress: (name: string) =>
    sqsError("PurgeQueueInProgress", "AWS.SimpleQueueService.PurgeQueueInProgress", `Only one PurgeQueue operation on ${name} is allowed every 60 seconds.`),
  tooManyEntries: (n: number) =>
    sqsError("TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", `Maximum number of entries per request are 10. You have sent ${n}.`),
  /** Names the operation's own entry shape (SendMessageBatchRequestEntry, DeleteMessageBatchRequestEntry, ...). */
  emptyBatch: (entryShape: string) => sqsError("EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest", `There should be at least one ${entryShape} in the request.`),
  batchIdsNotDistinct: () => sqsError("BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "Id is repeated."),
  invalidBatchEntryId: () =>
    sqsError("InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId", "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long."),
  batchTooLong: (n: number) =>
    sqsError("BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong", `Batch requests cannot be longer than 1048576 bytes. You have sent ${n} bytes.`),
  /** aws-facts §7: characters outside #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF, or bytes that are not UTF-8. */
  invalidMessageContents: () =>
    sqsError("InvalidMessageContents", "InvalidMessageContents", "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF"),
  serialization: (message: string) => sqsError("SerializationException", "InvalidParameterValue", message),
  unknownOperation: (name: string) =>
    new AwsError("UnknownOperationException", 400, `lambda-sim does not simulate the SQS operation '${name}'`, { messageKey: "message", queryCode: "InvalidAction" }),
  invalidAction: (action: string) => new AwsError("InvalidAction", 400, `The action ${action} is not valid for this endpoint.`, { queryCode: "InvalidAction" }),
  internal: () => new AwsError("InternalError", 500, "We encountered an internal error. Please try again.", { queryCode: "InternalError" }),
  unsupportedOperation: (message: string) => sqsError("UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation", message),
};
