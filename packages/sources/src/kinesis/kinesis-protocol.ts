import { AwsError, serviceModel, validationMessage, type Operation, type SourceContext } from "@lambda-sim/core";

/**
 * Kinesis over AWS JSON 1.1 (aws-facts §8.1): `X-Amz-Target: Kinesis_20131202.<Op>`, blobs
 * base64, timestamps epoch seconds; errors `{"__type": code, "message": text}` with the code in
 * `x-amzn-ErrorType` too. Inputs are checked against botocore's kinesis 2013-12-02 model
 * (`1 validation error detected: Value '' at 'streamName' failed to satisfy constraint: ...`).
 * The Java SDK (and the KCL) speak CBOR by default, which is not simulated: they get an error
 * saying how to switch it off rather than a body they cannot parse silently.
 */
export function registerKinesisProtocol(ctx: SourceContext, operations: Record<string, Operation>): void {
  const error = (code: string, status: number, message: string) => new AwsError(code, status, message, { messageKey: "message" });
  ctx.router.addJsonService({
    signingName: "kinesis",
    targetPrefix: "Kinesis_20131202",
    jsonVersion: "1.1",
    model: serviceModel("kinesis"),
    operations,
    errorTypeHeader: true,
    errors: {
      serialization: (message) => error("SerializationException", 400, message),
      validation: (violations) => error("ValidationException", 400, validationMessage(violations)),
      unknownOperation: (name) => error("UnknownOperationException", 400, `lambda-sim does not simulate the Kinesis operation '${name}'`),
      internal: () => error("InternalFailure", 500, "We encountered an internal error. Please try again."),
    },
    checkRequest: (req) => {
      if (String(req.headers["content-type"] ?? "").includes("cbor")) {
        throw error(
          "UnsupportedMediaTypeException",
          415,
          "lambda-sim speaks Kinesis over AWS JSON 1.1 only, not CBOR: disable CBOR in the client (Java SDK v2: system property aws.cborEnabled=false or env AWS_CBOR_ENABLED=false; SDK v1/KCL 1.x: AWS_CBOR_DISABLE=true)",
        );
      }
    },
  });
}
