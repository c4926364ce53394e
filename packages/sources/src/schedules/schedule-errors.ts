import { AwsError } from "@lambda-sim/core";

/**
 * EventBridge Scheduler's errors (botocore scheduler 2021-06-30: every one a `Message` member;
 * statuses from the model) and EventBridge's (events 2015-10-07, JSON 1.1: all client errors
 * are 400; the message travels as `message`).
 */
export const schedulerErrors = {
  validation: (message: string) => new AwsError("ValidationException", 400, message),
  /** aws-facts §9.2: the message quotes the expression. */
  invalidExpression: (expression: string) => new AwsError("ValidationException", 400, `Invalid Schedule Expression ${expression}.`),
  notFound: (name: string) => new AwsError("ResourceNotFoundException", 404, `Schedule ${name} does not exist.`),
  groupNotFound: (group: string) => new AwsError("ResourceNotFoundException", 404, `Schedule group ${group} does not exist.`),
  conflict: (name: string) => new AwsError("ConflictException", 409, `Schedule ${name} already exists.`),
  groupConflict: (group: string) => new AwsError("ConflictException", 409, `Schedule group ${group} already exists.`),
};

const events = (code: string, message: string) => new AwsError(code, 400, message, { messageKey: "message" });

export const eventsErrors = {
  validation: (message: string) => events("ValidationException", message),
  /** aws-facts §9.1 (LS-EVSCHED, AWS-recorded). */
  invalidExpression: () => events("ValidationException", "Parameter ScheduleExpression is not valid."),
  notDefaultBus: () => events("ValidationException", "ScheduleExpression is supported only on the default event bus."),
  ruleNotFound: (name: string, bus = "default") => events("ResourceNotFoundException", `Rule ${name} does not exist on EventBus ${bus}.`),
  busNotFound: (bus: string) => events("ResourceNotFoundException", `Event bus ${bus} does not exist.`),
  limitExceeded: (message: string) => events("LimitExceededException", message),
  /** The code the API reference names for an expired NextToken; the message is ours (AWS's unrecorded). */
  invalidToken: () => events("InvalidToken", "The NextToken provided is invalid."),
  unknownOperation: (name: string) => events("UnknownOperationException", `lambda-sim does not simulate the EventBridge operation '${name}'`),
};
