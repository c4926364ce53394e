import { serviceModel, type AwsError, type Operation, type ProtocolErrors, type SourceContext, type Violation } from "@lambda-sim/core";
import { sqsErrors } from "./sqs-errors.ts";

/** A queue URL's path (`/<account>/<queue>`): unsigned query requests sent to a queue. */
const QUEUE_PATH = /^\/\d{12}\/[^/?]+(\?|$)/;

/**
 * How SQS words what fails before an operation runs, on both protocols (aws-facts §7): a missing
 * member is `MissingParameter` ("The request must contain the parameter QueueUrl."), any other
 * violation `InvalidParameterValue` ("Value x for parameter DelaySeconds is invalid. Reason: ...",
 * the member named as the caller wrote it). Wrong kinds get the same code with the deserialiser's
 * reason; AWS's exact text for them is unknown (chosen).
 */
const errors: ProtocolErrors = {
  serialization: (message: string, v?: Violation) => (v === undefined ? sqsErrors.serialization(message) : sqsErrors.invalidValue(shown(v), v.name, message.endsWith(".") ? message : `${message}.`)),
  validation: (violations: Violation[]) => {
    const v = violations[0]!;
    return v.kind === "required" && !v.name.includes(".") ? sqsErrors.missingParameter(v.name) : sqsErrors.invalidValue(shown(v), v.name, `${v.constraint}.`);
  },
  unknownOperation: sqsErrors.unknownOperation,
  internal: sqsErrors.internal,
  invalidUtf8: sqsErrors.invalidMessageContents,
};

/**
 * Serves SQS's operations on both wire protocols (aws-facts §7): AWS JSON 1.0 with
 * `X-Amz-Target: AmazonSQS.*` and awsQueryCompatible errors, and the query protocol with XML.
 */
export function registerSqsProtocols(ctx: SourceContext, operations: Record<string, Operation>, queueUrlOf: (name: string) => string): void {
  const model = serviceModel("sqs");
  // Queue and attribute names are checked by hand with SQS's own codes (InvalidAttributeName, ...).
  const enforce = { patterns: false, enums: false };
  ctx.router.addJsonService({
    signingName: "sqs",
    targetPrefix: "AmazonSQS",
    jsonVersion: "1.0",
    model,
    operations,
    errors,
    enforce,
    queryCompatible: { errorType },
  });
  ctx.router.addQueryService(
    {
      signingName: "sqs",
      model,
      operations,
      errors: { ...errors, unknownOperation: sqsErrors.invalidAction },
      enforce,
      xmlNamespace: "http://queue.amazonaws.com/doc/2012-11-05/",
      // A request sent to the queue's own URL names its queue by the path.
      completeInput: (input, path) => {
        // Another account's id in the path names no queue here: the path is kept as the URL (review22 R22-4).
        if (input.QueueUrl === undefined && /^\/\d{12}\/[^/]+$/.test(path)) input.QueueUrl = path.slice(1, 13) === ctx.accountId ? queueUrlOf(path.slice(14)) : path;
      },
      // The query protocol's wording of a missing queue differs (aws-facts §7).
      queryMessage: (e) => (e.code === "QueueDoesNotExist" ? "The specified queue does not exist for this wsdl version." : undefined),
    },
    [QUEUE_PATH],
  );
}

/** `__type` as SQS sends it: Coral's namespace for its own exceptions, SQS's for the rest. */
function errorType(e: AwsError): string {
  const coral = e.code === "SerializationException" || e.code === "UnknownOperationException" || (e.code.endsWith("Exception") && e.code.startsWith("InvalidParameterValue"));
  return `${coral ? "com.amazon.coral.service" : "com.amazonaws.sqs"}#${e.code}`;
}

/** The value as the message shows it; none for what the model marks sensitive (SQS's marks nothing today: review21 R21-4). */
function shown(v: Violation): string | undefined {
  if (v.sensitive === true) return undefined;
  return typeof v.value === "object" && v.value !== null ? JSON.stringify(v.value) : String(v.value);
}
