import type { HttpAnswer } from "./payload-v2.ts";
import { messageAnswer } from "./write-answer.ts";

// API Gateway's own answers for REST APIs, written as it writes them (the proxy integration's 502
// and the 504 put a space after the colon; the gateway responses' templates do not).
export const MISSING_TOKEN = () => rest(403, '{"message":"Missing Authentication Token"}', "MissingAuthenticationTokenException");
export const UNAUTHORIZED = () => rest(401, '{"message":"Unauthorized"}', "UnauthorizedException");
export const DENIED = () => rest(403, '{"Message":"User is not authorized to access this resource"}', "AccessDeniedException");
export const EXPLICIT_DENY = () => rest(403, '{"Message":"User is not authorized to access this resource with an explicit deny"}', "AccessDeniedException");
export const AUTHORIZER_FAILED = () => rest(500, '{"message": null}', "AuthorizerConfigurationException");
export const BAD_RESPONSE = () => rest(502, '{"message": "Internal server error"}', "InternalServerErrorException");
export const TIMED_OUT = () => rest(504, '{"message": "Endpoint request timed out"}', "InternalServerErrorException");
// A throttled (429) or refused Lambda call is an INTEGRATION_FAILURE: 500, whatever Lambda said.
// https://repost.aws/questions/QUfI6bsdd0SOiPeyimzxSkfQ ; https://stackoverflow.com/questions/36363280
export const INTEGRATION_FAILED = () => rest(500, '{"message":"Internal server error"}', "InternalServerErrorException");
export const TOO_LARGE = () => rest(413, '{"message":"Request Too Long"}', "RequestTooLargeException");
// A request whose Content-Type has no mapping template where the passthrough behavior refuses it:
// "rejected with an HTTP 415 Unsupported Media Type response" (integration-passthrough-behaviors.html);
// the error type named as the other gateway responses name theirs (our guess: not on record).
export const UNSUPPORTED_MEDIA_TYPE = () => rest(415, '{"message":"Unsupported Media Type"}', "UnsupportedMediaTypeException");

// What a stage's execution log says when the integration fails (re:Post knowledge center
// "malformed-502-api-gateway" and "api-gateway-504-errors"); the throttle's line is our wording.
export const MALFORMED_REASON = "Execution failed due to configuration error: Malformed Lambda proxy response";
export const TIMEOUT_REASON = "Execution failed due to a timeout error";
export const functionErrorReason = (message: string, requestId: string) => `Lambda execution failed with status 200 due to customer function error: ${message}. Lambda request id: ${requestId}`;
export const invocationFailedReason = (status: string) => `Execution failed due to configuration error: Lambda invocation failed with status: ${status}`;

function rest(status: number, body: string, errorType: string): HttpAnswer {
  return messageAnswer(status, body, { "x-amzn-errortype": errorType });
}
