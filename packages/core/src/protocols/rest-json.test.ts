import { ServerResponse, IncomingMessage } from "node:http";
import { Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { lambdaErrors } from "../errors/lambda-errors.ts";
import { writeRestJsonError } from "./rest-json.ts";
import { signingService } from "./signing-service.ts";

function capture(err: unknown) {
  const res = new ServerResponse(new IncomingMessage(new Socket()));
  let body = "";
  let status = 0;
  const headers: Record<string, unknown> = {};
  res.writeHead = ((code: number, h: Record<string, unknown>) => {
    status = code;
    for (const [k, v] of Object.entries(h)) headers[k.toLowerCase()] = v;
    return res;
  }) as typeof res.writeHead;
  res.end = ((chunk: string) => {
    body = chunk;
    return res;
  }) as typeof res.end;
  writeRestJsonError(res, err, "req-id");
  return { status, headers, body: JSON.parse(body) };
}

describe("REST-JSON error serialisation (aws-facts §1.4)", () => {
  it("writes the code header, status and a body with Type and the exception's message key", () => {
    const r = capture(lambdaErrors.functionNotFound("arn:aws:lambda:us-east-1:000000000000:function:x:$LATEST"));
    expect(r.status).toBe(404);
    expect(r.headers["x-amzn-errortype"]).toBe("ResourceNotFoundException");
    expect(r.headers["x-amzn-requestid"]).toBe("req-id");
    expect(r.body).toEqual({ Type: "User", Message: "Function not found: arn:aws:lambda:us-east-1:000000000000:function:x:$LATEST" });
  });

  it("uses lower-case message and Reason for throttles", () => {
    const r = capture(lambdaErrors.tooManyRequests("ReservedFunctionConcurrentInvocationLimitExceeded"));
    expect(r.status).toBe(429);
    expect(r.body).toEqual({ Type: "User", Reason: "ReservedFunctionConcurrentInvocationLimitExceeded", message: "Rate Exceeded." });
  });

  it("hides internal errors behind a ServiceException", () => {
    const r = capture(new Error("secret stack"));
    expect(r.status).toBe(500);
    expect(r.headers["x-amzn-errortype"]).toBe("ServiceException");
    expect(r.body.Type).toBe("Service");
    expect(JSON.stringify(r.body)).not.toContain("secret");
  });
});

describe("SigV4 routing", () => {
  it.each([
    ["AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=abc", "lambda"],
    ["AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-west-1/sqs/aws4_request,SignedHeaders=host,Signature=abc", "sqs"],
    ["Bearer x", undefined],
    [undefined, undefined],
  ])("%s → %s", (header, service) => {
    expect(signingService(header)).toBe(service);
  });
});
