/** Which service a request is signed for (SigV4's credential scope), and the answer when lambda-sim does not serve it. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { AwsError } from "../errors/aws-error.ts";
import { escapeXml } from "./aws-query.ts";
import { writeRestJsonError } from "./rest-json.ts";

/** `AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/lambda/aws4_request, ...` → "lambda". */
export function signingService(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const i = authorization.indexOf("Credential=");
  if (i < 0) return undefined;
  const end = authorization.indexOf(",", i);
  const scope = authorization.slice(i + 11, end < 0 ? undefined : end).split("/");
  return scope.length >= 5 ? scope[3] : undefined;
}

/**
 * What a call to a service lambda-sim does not serve is told: often a function's SDK call to
 * DynamoDB or S3, sent here by the AWS_ENDPOINT_URL its environment has. The SDKs (JS v3, boto3)
 * read a service's own AWS_ENDPOINT_URL_<SERVICE> first, which sends that service elsewhere (a
 * local stand-in such as DynamoDB Local).
 */
export function unknownServiceError(name: string | undefined, url: string | undefined): AwsError {
  // `__type` too: the JSON protocols' clients (DynamoDB's, boto3's) read the code from the body, REST-JSON's from the header.
  return new AwsError("UnknownServiceException", 400, unknownServiceMessage(name, url), { fields: { __type: "UnknownServiceException" }, messageKey: "message" });
}

/**
 * Answers a request for a service lambda-sim does not serve in the protocol its client reads:
 * XML for the query protocol (form-encoded: IAM, SES v1, CloudFormation, EC2) and REST-XML (S3,
 * Route 53, CloudFront), whose SDKs read the code and message only from an XML body (a JSON one
 * leaves the caller with "An error occurred (400) ... Bad Request"), else JSON.
 */
export function writeUnknownService(req: IncomingMessage, res: ServerResponse, name: string | undefined, requestId: string): void {
  const e = unknownServiceError(name, req.url);
  const form = (req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded") || /[?&]Action=/.test(req.url ?? "");
  if (!form && !(name !== undefined && REST_XML.has(name))) return writeRestJsonError(res, e, requestId);
  // `<ErrorResponse><Error>`: the query protocol's shape, which the REST-XML parsers (botocore's, JS v3's) read too.
  const body = `<?xml version="1.0"?><ErrorResponse><Error><Type>Sender</Type><Code>${e.code}</Code><Message>${escapeXml(e.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  res.writeHead(e.statusCode, { "Content-Type": "text/xml", "Content-Length": Buffer.byteLength(body), "x-amzn-RequestId": requestId });
  res.end(body);
}

/** Signing names of the REST-XML services (botocore's models, `protocol: rest-xml`). */
const REST_XML = new Set(["s3", "s3-outposts", "route53", "cloudfront"]);

function unknownServiceMessage(name: string | undefined, url: string | undefined): string {
  const base = `lambda-sim does not simulate the service '${name ?? "unknown"}' at ${url}`;
  if (name === undefined) return base;
  const variable = `AWS_ENDPOINT_URL_${SERVICE_IDS[name] ?? name.toUpperCase().replace(/-/g, "_")}`;
  // A function's SDK calls come here by the AWS_ENDPOINT_URL lambda-sim gives it; a shell's by the user's own (walk39: the advice named only functions).
  return `${base}: to send these calls elsewhere (a local stand-in such as DynamoDB Local), set ${variable} in the caller's environment (a function's Environment, or your shell's)`;
}

/** The variable is named after the SDK's service id, which differs from the signing name for these. */
const SERVICE_IDS: Record<string, string> = { states: "SFN", secretsmanager: "SECRETS_MANAGER", email: "SES", "cognito-idp": "COGNITO_IDENTITY_PROVIDER" };
