/**
 * An error with an AWS error code, HTTP status and message. Service operations throw it; only the
 * protocol serialisers in protocols/ turn it into a wire response (STYLE.md 7.11).
 */
const AWS_ERROR = Symbol.for("lambda-sim.AwsError");

export interface AwsErrorOptions {
  /** Extra members serialised into the body, e.g. `Reason` for TooManyRequestsException. */
  fields?: Record<string, unknown>;
  /** Extra response headers, e.g. `Retry-After`. */
  headers?: Record<string, string>;
  /**
   * Lambda's REST-JSON bodies spell the message key inconsistently per exception (`Message` vs
   * `message`, aws-facts §1.4); the botocore shape decides. Default "Message".
   */
  messageKey?: "Message" | "message";
  /** Legacy query-protocol code for awsQueryCompatible services (SQS's `x-amzn-query-error`). */
  queryCode?: string;
}

export class AwsError extends Error {
  readonly [AWS_ERROR] = true;
  readonly fields: Record<string, unknown>;
  readonly headers: Record<string, string>;
  readonly messageKey: "Message" | "message";
  readonly queryCode: string | undefined;
  readonly code: string;
  readonly statusCode: number;

  constructor(code: string, statusCode: number, message: string, options: AwsErrorOptions = {}) {
    super(message);
    this.code = code;
    this.statusCode = statusCode;
    this.name = code;
    this.fields = options.fields ?? {};
    this.headers = options.headers ?? {};
    this.messageKey = options.messageKey ?? "Message";
    this.queryCode = options.queryCode;
  }

  /** "Sender" for 4xx, "Receiver" for 5xx; Lambda calls these "User" and "Service". */
  get senderFault(): boolean {
    return this.statusCode < 500;
  }
}

/** `instanceof` fails across two loaded copies of core; the symbol brand does not. */
export function isAwsError(e: unknown): e is AwsError {
  return typeof e === "object" && e !== null && (e as Record<symbol, unknown>)[AWS_ERROR] === true;
}
