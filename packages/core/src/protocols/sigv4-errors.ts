import type { IncomingMessage, ServerResponse } from "node:http";
import { signingService } from "./signing-service.ts";
import { serviceModel } from "./service-model.ts";
import type { AuthFailure, SigV4Verifier } from "./sigv4-verifier.ts";

/** AWS's texts for a wrong key and an unknown key (the same on every protocol). */
export const SIGNATURE_MISMATCH_MESSAGE = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";
export const UNKNOWN_KEY_MESSAGE = "The security token included in the request is invalid.";

type Protocol = "json" | "query" | "rest-json";

/** The code and status of a failure as each protocol names it. */
function codeOf(failure: AuthFailure, protocol: Protocol): { code: string; status: number; message: string } {
  // JSON 1.0/1.1 (Kinesis, EventBridge): 400 with InvalidSignatureException / UnrecognizedClientException.
  // REST-JSON (Lambda, Scheduler): the same codes with 403.
  // Query (SQS, STS...): SignatureDoesNotMatch / InvalidClientTokenId, 403; an expired signature is
  // SignatureDoesNotMatch there too, with the "Signature expired" text.
  const query = protocol === "query";
  const status = protocol === "json" ? 400 : 403;
  switch (failure.kind) {
    case "missing":
      return query
        ? { code: "MissingAuthenticationToken", status: 403, message: "Request must contain either a valid (registered) AWS access key ID or X.509 certificate." }
        : { code: "MissingAuthenticationTokenException", status, message: "Missing Authentication Token" };
    case "incomplete":
      return { code: query ? "IncompleteSignature" : "IncompleteSignatureException", status: query ? 400 : status, message: failure.message };
    case "unknown-key":
      return { code: query ? "InvalidClientTokenId" : "UnrecognizedClientException", status, message: UNKNOWN_KEY_MESSAGE };
    case "mismatch":
      return { code: query ? "SignatureDoesNotMatch" : "InvalidSignatureException", status, message: SIGNATURE_MISMATCH_MESSAGE };
    case "expired":
      return { code: query ? "SignatureDoesNotMatch" : "InvalidSignatureException", status, message: failure.message };
  }
}

/** The query-protocol name of the same failure (for `x-amzn-query-error` on JSON answers). */
function queryCodeOf(failure: AuthFailure): string {
  return codeOf(failure, "query").code;
}

/** Which protocol the request speaks, from its shape alone (no service is named here). */
function protocolOf(req: IncomingMessage): Protocol {
  if (req.headers["x-amz-target"] !== undefined) return "json";
  const type = req.headers["content-type"] ?? "";
  if (type.startsWith("application/x-www-form-urlencoded") || /[?&]Action=/.test(req.url ?? "")) return "query";
  return "rest-json";
}

/** Answers a refused request the way its protocol reports an authentication failure. */
export function writeAuthFailure(req: IncomingMessage, res: ServerResponse, failure: AuthFailure, requestId: string): void {
  const protocol = protocolOf(req);
  const { code, status, message } = codeOf(failure, protocol);
  let body: string;
  const headers: Record<string, string | number> = { "x-amzn-RequestId": requestId };
  if (protocol === "query") {
    body = `<?xml version="1.0"?><ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message><Detail/></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
    headers["Content-Type"] = "text/xml";
  } else if (protocol === "json") {
    body = JSON.stringify({ __type: code, message });
    headers["Content-Type"] = req.headers["content-type"] ?? "application/x-amz-json-1.1";
    // Services whose model is awsQueryCompatible report the legacy code here too; the SDKs read it
    // (boto3 reads it from any JSON service, so only those get it).
    if (queryCompatible(signingService(req.headers.authorization))) headers["x-amzn-query-error"] = `${queryCodeOf(failure)};Sender`;
  } else {
    body = JSON.stringify({ message });
    headers["Content-Type"] = "application/json";
    headers["x-amzn-ErrorType"] = code;
  }
  headers["Content-Length"] = Buffer.byteLength(body);
  res.writeHead(status, headers);
  res.end(body);
}

/**
 * The check AwsRouter runs on every request once its body is read: true to go on, false when the
 * request has been answered with the protocol's authentication error.
 */
export function sigV4Gate(verifier: SigV4Verifier) {
  return (req: IncomingMessage, res: ServerResponse, body: Buffer, requestId: string): boolean => {
    const failure = verifier.verify(req, body);
    if (failure === undefined) return true;
    writeAuthFailure(req, res, failure, requestId);
    return false;
  };
}

/** Whether the served model of `service` carries the awsQueryCompatible trait (botocore metadata). */
function queryCompatible(service: string | undefined): boolean {
  if (service === undefined || !/^[a-z0-9-]+$/.test(service)) return false;
  try {
    return (serviceModel(service).metadata as { awsQueryCompatible?: unknown }).awsQueryCompatible !== undefined;
  } catch {
    return false; // no model of that name: a service lambda-sim does not serve
  }
}

function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
