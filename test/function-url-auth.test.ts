import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignatureV4 } from "@smithy/signature-v4";
import { Sha256 } from "./support/sha256.ts";
import { functionUrlsSource } from "@lambda-sim/sources";
import { startTestSimulator, type TestSimulator } from "@lambda-sim/core/testing";
import type { FunctionDefinition } from "@lambda-sim/core";

// AuthType AWS_IAM under --auth: a URL request must be signed (SigV4, service `lambda`) by a known
// key; AuthType NONE stays open to anyone, as on AWS.

const GOOD = { accessKeyId: "AKIDLAMBDASIMURL0001", secretAccessKey: "url-secret" };
const codeDir = fileURLToPath(new URL("./fixtures/functions/node-function-url/", import.meta.url));
const fn = (functionName: string, authType: "NONE" | "AWS_IAM"): FunctionDefinition => ({ functionName, runtime: "nodejs24.x", handler: "index.echo", codeDir, timeout: 5, functionUrl: { authType } });

let t: TestSimulator;
beforeAll(async () => {
  t = await startTestSimulator({ auth: true, credentials: [GOOD], functions: [fn("private", "AWS_IAM"), fn("public", "NONE")], sources: [functionUrlsSource] });
});
afterAll(() => t?.close());

const pathOf = (name: string) => `/_aws/lambda-url/${t.sim.functionUrls.list(name)[0]!.urlId}/hello`;


async function signedFetch(path: string, creds = GOOD): Promise<Response> {
  const url = new URL(t.endpoint);
  const signer = new SignatureV4({ credentials: creds, region: "us-east-1", service: "lambda", sha256: Sha256 });
  const signed = await signer.sign({ method: "GET", protocol: "http:", hostname: url.hostname, port: Number(url.port), path, query: {}, headers: { host: url.host } });
  const { host: _host, ...headers } = signed.headers as Record<string, string>;
  return fetch(`${t.endpoint}${path}`, { headers });
}

describe("AWS_IAM Function URLs under --auth", () => {
  it("refuses an unsigned request with 403 Forbidden", async () => {
    const res = await fetch(`${t.endpoint}${pathOf("private")}`);
    expect([res.status, await res.text(), res.headers.get("x-amzn-errortype")]).toEqual([403, '{"Message":"Forbidden"}', "AccessDeniedException"]);
  });

  it("refuses a request signed with an unknown key", async () => {
    const res = await signedFetch(pathOf("private"), { accessKeyId: "AKIDNOBODY0000000000", secretAccessKey: "x" });
    expect(res.status).toBe(403);
  });

  it("runs a signed request, with the caller in requestContext.authorizer.iam", async () => {
    const res = await signedFetch(pathOf("private"));
    expect(res.status).toBe(200);
    const e = (await res.json()) as { requestContext: { accountId: string; authorizer: { iam: Record<string, unknown> } } };
    expect(e.requestContext.accountId).toBe("000000000000");
    expect(e.requestContext.authorizer.iam).toMatchObject({ accessKey: GOOD.accessKeyId, accountId: "000000000000", cognitoIdentity: null, principalOrgId: null });
  });

  it("leaves AuthType NONE open to unsigned callers", async () => {
    const res = await fetch(`${t.endpoint}${pathOf("public")}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { requestContext: { accountId: string } }).requestContext.accountId).toBe("anonymous");
  });
});
