import type { IncomingHttpHeaders } from "node:http";
import type { AwsError } from "../errors/aws-error.ts";
import type { Violation } from "./input-validator.ts";
import type { ServiceModel } from "./service-model.ts";

/** What an operation is given besides its input (STYLE.md 7.1: operations know no wire format). */
export interface OperationContext {
  requestId: string;
  /** Aborted when the caller goes away (long polls stop waiting). */
  signal: AbortSignal;
  headers: IncomingHttpHeaders;
}

/** A protocol-agnostic service operation: `(input, ctx) -> output`, throwing AwsError. */
// Inputs are checked against the model before the call; operations read them as `any`-shaped records.
export type Operation = (input: Record<string, any>, ctx: OperationContext) => unknown;

/** How a service words the failures the protocol layer finds before any operation runs. */
export interface ProtocolErrors {
  /** The body is not a JSON object, or a member has the wrong kind. */
  serialization(message: string, violation?: Violation): AwsError;
  /** Model constraints: required, length, range, enum, pattern (all of them, in order). */
  validation(violations: Violation[]): AwsError;
  unknownOperation(name: string): AwsError;
  /** A body whose bytes are not UTF-8 (SQS: InvalidMessageContents); else a serialisation error. */
  invalidUtf8?(): AwsError;
  /** What a bug in lambda-sim answers (never for a caller's mistake). */
  internal(): AwsError;
}

/** One AWS service as the protocol front ends serve it. */
export interface ServiceSpec {
  /** The SigV4 signing name the router dispatches on ("sqs", "kinesis", "events"). */
  signingName: string;
  /** AWS's model of the service (serviceModel("sqs")), for input checks and query/XML output. */
  model?: ServiceModel;
  operations: Record<string, Operation>;
  errors: ProtocolErrors;
  /** Services that check names by hand with their own codes switch the model's patterns or enums off. */
  enforce?: { patterns?: boolean; enums?: boolean };
}
