import type { IncomingMessage, ServerResponse } from "node:http";
import { AwsError, isAwsError, isJsonObject } from "@lambda-sim/core";

export type KinesisOperation = (input: Record<string, unknown>) => unknown;

const PREFIX = "Kinesis_20131202.";
const JSON_11 = "application/x-amz-json-1.1";

/**
 * Kinesis over AWS JSON 1.1 (aws-facts §8.1): `POST /` with `X-Amz-Target: Kinesis_20131202.<Op>`,
 * blobs base64, timestamps epoch seconds; errors `{"__type": code, "message": text}`. The Java SDK
 * (and the KCL) speak CBOR by default, which is not simulated: they get an error saying how to
 * switch it off rather than a body they cannot parse silently.
 */
export function kinesisJsonHandler(operations: Record<string, KinesisOperation>) {
  return (req: IncomingMessage, res: ServerResponse, body: Buffer, requestId: string): void => {
    const target = String(req.headers["x-amz-target"] ?? "");
    const name = target.startsWith(PREFIX) ? target.slice(PREFIX.length) : "";
    try {
      if (String(req.headers["content-type"] ?? "").includes("cbor")) {
        throw new AwsError(
          "UnsupportedMediaTypeException",
          415,
          "lambda-sim speaks Kinesis over AWS JSON 1.1 only, not CBOR: disable CBOR in the client (Java SDK v2: system property aws.cborEnabled=false or env AWS_CBOR_ENABLED=false; SDK v1/KCL 1.x: AWS_CBOR_DISABLE=true)",
          { messageKey: "message" },
        );
      }
      const operation = operations[name];
      if (operation === undefined) throw new AwsError("UnknownOperationException", 400, `lambda-sim does not simulate the Kinesis operation '${name || target}'`, { messageKey: "message" });
      let input: Record<string, unknown>;
      try {
        input = body.length === 0 ? {} : JSON.parse(body.toString("utf8"));
        if (!isJsonObject(input)) throw new Error("not an object");
      } catch {
        throw new AwsError("SerializationException", 400, "Could not parse the request body as JSON", { messageKey: "message" });
      }
      const text = JSON.stringify(operation(input) ?? {});
      res.writeHead(200, { "content-type": JSON_11, "content-length": Buffer.byteLength(text), "x-amzn-requestid": requestId });
      res.end(text);
    } catch (e) {
      writeError(res, e, requestId);
    }
  };
}

function writeError(res: ServerResponse, err: unknown, requestId: string): void {
  if (res.headersSent) return void res.destroy();
  const e = isAwsError(err) ? err : new AwsError("InternalFailure", 500, "We encountered an internal error. Please try again.");
  const text = JSON.stringify({ __type: e.code, message: e.message });
  res.writeHead(e.statusCode, { "content-type": JSON_11, "content-length": Buffer.byteLength(text), "x-amzn-requestid": requestId, "x-amzn-errortype": e.code });
  res.end(text);
}
