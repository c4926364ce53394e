import type { IncomingMessage, ServerResponse } from "node:http";
import { AwsError, isAwsError, isJsonObject } from "@lambda-sim/core";

export type SqsOperation = (input: Record<string, unknown>, signal: AbortSignal) => unknown;

/**
 * SQS over AWS JSON 1.0 (aws-facts §7): `POST /` with `X-Amz-Target: AmazonSQS.<Operation>`.
 * Errors carry `__type` and the legacy code in `x-amzn-query-error`, which the SDKs read.
 */
export function sqsJsonHandler(operations: Record<string, SqsOperation>) {
  return async (req: IncomingMessage, res: ServerResponse, body: Buffer, requestId: string): Promise<void> => {
    const target = String(req.headers["x-amz-target"] ?? "");
    const name = target.startsWith("AmazonSQS.") ? target.slice("AmazonSQS.".length) : "";
    const operation = operations[name];
    const abort = new AbortController();
    res.on("close", () => abort.abort());
    try {
      if (operation === undefined) throw new AwsError("UnknownOperationException", 400, `lambda-sim does not simulate the SQS operation '${name || target}'`, { messageKey: "message", queryCode: "InvalidAction" });
      let input: Record<string, unknown>;
      try {
        input = body.length === 0 ? {} : JSON.parse(body.toString("utf8"));
        if (!isJsonObject(input)) throw new Error("not an object");
      } catch {
        throw new AwsError("SerializationException", 400, "Could not parse the request body as JSON", { messageKey: "message", queryCode: "InvalidParameterValue" });
      }
      const out = await operation(input, abort.signal);
      const text = JSON.stringify(out ?? {});
      res.writeHead(200, { "Content-Type": "application/x-amz-json-1.0", "Content-Length": Buffer.byteLength(text), "x-amzn-RequestId": requestId });
      res.end(text);
    } catch (e) {
      writeJsonError(res, e, requestId);
    }
  };
}

function writeJsonError(res: ServerResponse, err: unknown, requestId: string): void {
  if (res.headersSent) return void res.destroy();
  const e = isAwsError(err) ? err : new AwsError("InternalError", 500, "We encountered an internal error. Please try again.", { queryCode: "InternalError" });
  const namespace = e.code.endsWith("Exception") && e.code.startsWith("InvalidParameterValue") ? "com.amazon.coral.service" : "com.amazonaws.sqs";
  const text = JSON.stringify({ __type: `${namespace}#${e.code}`, message: e.message });
  res.writeHead(e.statusCode, {
    "Content-Type": "application/x-amz-json-1.0",
    "Content-Length": Buffer.byteLength(text),
    "x-amzn-RequestId": requestId,
    "x-amzn-query-error": `${e.queryCode ?? e.code};${e.senderFault ? "Sender" : "Receiver"}`,
  });
  res.end(text);
}
