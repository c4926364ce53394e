import { describe, expect, it } from "vitest";
import { startLambdaSim } from "./support/lambda-sim-process.ts";
import { writeStackTemplate } from "./support/sam-stack.ts";

/**
 * `Globals: Api` and `Globals: HttpApi` reach the APIs SAM creates for Api and HttpApi events that
 * name none (ServerlessRestApi, ServerlessHttpApi), as they reach declared ones (SAM's globals.rst:
 * "You can use Globals to override all properties of Implicit APIs as well"); what lambda-sim does
 * not simulate of an API (an OpenAPI definition in S3, API keys) is listed at start.
 */
const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: nodejs24.x
    Handler: index.handler
  Api:
    Auth:
      DefaultAuthorizer: TokenAuth
      Authorizers:
        TokenAuth: { FunctionArn: !GetAtt AuthFn.Arn }
  HttpApi:
    CorsConfiguration:
      AllowOrigins: [https://app.example]
      AllowMethods: [GET]
Resources:
  AuthFn:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: |
        exports.handler = async (event) => ({
          principalId: "user",
          policyDocument: { Version: "2012-10-17", Statement: [{ Action: "execute-api:Invoke", Effect: event.authorizationToken === "ok" ? "Allow" : "Deny", Resource: event.methodArn }] },
        });
  Secret:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: "exports.handler = async () => ({ statusCode: 200, body: 'secret data' });"
      Events:
        Rest: { Type: Api, Properties: { Path: /secret, Method: GET } }
        Http: { Type: HttpApi, Properties: { Path: /s, Method: GET } }
  OpenApi:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionUri: { Bucket: specs, Key: openapi.yaml }
  Keyed:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      Auth: { ApiKeyRequired: true }
`;

describe("Globals on the implicit APIs", () => {
  it("a global DefaultAuthorizer guards ServerlessRestApi, a global CorsConfiguration answers ServerlessHttpApi's preflight", { timeout: 60_000 }, async () => {
    const sim = await startLambdaSim(["--template", writeStackTemplate(TEMPLATE), "--in-memory"]);
    try {
      const rest = /ServerlessRestApi \(REST API, stage Prod\): (\S+)/.exec(sim.output())![1]!;
      const http = /ServerlessHttpApi \(HTTP API, stage \$default\): (\S+)/.exec(sim.output())![1]!;

      // REST: no token is 401 from API Gateway itself; a denied one 403; the right one reaches the function.
      const none = await fetch(new URL("secret", rest));
      expect([none.status, await none.json()]).toEqual([401, { message: "Unauthorized" }]);
      expect((await fetch(new URL("secret", rest), { headers: { authorization: "nope" } })).status).toBe(403);
      const ok = await fetch(new URL("secret", rest), { headers: { authorization: "ok" } });
      expect([ok.status, await ok.text()]).toEqual([200, "secret data"]);

      // HTTP: the preflight is answered by the API with the configured CORS headers, and the GET carries them.
      const preflight = await fetch(new URL("s", http), { method: "OPTIONS", headers: { origin: "https://app.example", "access-control-request-method": "GET" } });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get("access-control-allow-origin")).toBe("https://app.example");
      const get = await fetch(new URL("s", http), { headers: { origin: "https://app.example" } });
      expect([get.status, get.headers.get("access-control-allow-origin")]).toEqual([200, "https://app.example"]);

      // What is not simulated is said, with the resource's logical id.
      const line = /not simulated \(yet\): (.*)/.exec(sim.output())?.[1];
      expect(line).toContain("OpenApi.DefinitionUri (an OpenAPI file in S3: lambda-sim reads a local path, or a DefinitionBody)");
      expect(line).toContain("Keyed.Auth.ApiKeyRequired (API keys)");
    } finally {
      await sim.kill();
    }
  });
});
