import { AwsError } from "./aws-error.ts";

/**
 * Lambda's exceptions with their HTTP status and body message key as in botocore's lambda
 * service-2.json (aws-facts §1.4). Call sites use these factories; nobody builds codes by hand.
 */
export const lambdaErrors = {
  resourceNotFound: (message: string) => new AwsError("ResourceNotFoundException", 404, message),
  functionNotFound: (qualifiedArn: string) =>
    new AwsError("ResourceNotFoundException", 404, `Function not found: ${qualifiedArn}`),
  /**
   * A UUID no event source mapping has: the Java SDK's service-exception wording, whose "Request
   * ID" is the request's own (x-amzn-RequestId), not the UUID asked for.
   */
  mappingNotFound: (requestId: string) =>
    new AwsError("ResourceNotFoundException", 404, `The resource you requested does not exist. (Service: Lambda, Status Code: 404, Request ID: ${requestId})`),
  resourceConflict: (message: string) => new AwsError("ResourceConflictException", 409, message),
  invalidParameterValue: (message: string) => new AwsError("InvalidParameterValueException", 400, message),
  /** Throttle (aws-facts §1.4): `Reason` is one of the ThrottleReason values; message "Rate Exceeded.". */
  tooManyRequests: (reason: string, message = "Rate Exceeded.") =>
    new AwsError("TooManyRequestsException", 429, message, { fields: { Reason: reason }, messageKey: "message" }),
  /** The model names it RequestTooLargeException; SDKs observe this code (aws-facts §1.4). */
  requestTooLarge: (message: string) =>
    new AwsError("RequestEntityTooLargeException", 413, message, { messageKey: "message" }),
  invalidRequestContent: (message: string) =>
    new AwsError("InvalidRequestContentException", 400, message, { messageKey: "message" }),
  unsupportedMediaType: (message: string) =>
    new AwsError("UnsupportedMediaTypeException", 415, message, { messageKey: "message" }),
  /**
   * A function stopped in a recursive loop (invocation-recursion). AWS's own message is not on
   * record: the model's description of the exception stands for it.
   */
  recursiveInvocation: () =>
    new AwsError("RecursiveInvocationException", 400, "Lambda has detected your function being invoked in a recursive loop with other AWS resources and stopped your function's invocation."),
  service: (message: string) => new AwsError("ServiceException", 500, message),
};
