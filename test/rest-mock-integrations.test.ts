import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, startLambdaSim } from "./support/lambda-sim-process.ts";
import { writeStackTemplate } from "./support/sam-stack.ts";

/**
 * REST APIs' MOCK integrations, as SAM apps declare them for health checks and CORS preflights: in
 * an Api's OpenAPI DefinitionBody beside a `{proxy+}` Lambda route, and as an AWS::ApiGateway::Method.
 * API Gateway answers them itself: the request template's statusCode picks the integration
 * response, whose status, literal headers and response template are what the client gets.
 */
const ECHO = "exports.handler = async (event) => ({ statusCode: 200, body: JSON.stringify(event.path === '/echo-context' ? event.requestContext : { resource: event.resource, path: event.path }) });";

const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Resources:
  Echo:
    Type: AWS::Serverless::Function
    Properties: { Runtime: nodejs24.x, Handler: index.handler, InlineCode: ${JSON.stringify(ECHO)} }
  Shop:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      DefinitionBody:
        openapi: "3.0.1"
        info: { title: shop, version: "1" }
        paths:
          /{proxy+}:
            x-amazon-apigateway-any-method:
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !Sub arn:aws:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/\${Echo.Arn}/invocations
          /health:
            get:
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: { application/json: '{"statusCode": 200}' }
                responses:
                  default:
                    statusCode: "200"
                    responseParameters: { method.response.header.X-Health: "'ok'" }
                    responseTemplates: { application/json: '{"status": "ok", "stage": "$context.stage", "resource": "$context.resourcePath"}' }
            options:
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: { application/json: '{"statusCode": 200}' }
                passthroughBehavior: when_no_match
                responses:
                  default:
                    statusCode: "204"
                    responseParameters:
                      method.response.header.Access-Control-Allow-Origin: "'https://shop.example'"
                      method.response.header.Access-Control-Allow-Methods: "'GET,OPTIONS'"
                      method.response.header.Access-Control-Allow-Headers: "'Content-Type,Authorization'"
          /context:
            get:
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: { application/json: '{"statusCode": 200}' }
                responses:
                  default:
                    statusCode: "200"
                    responseTemplates: { application/json: '{"requestId": "$context.requestId", "extendedRequestId": "$context.extendedRequestId", "stage": "$context.stage", "httpMethod": "$context.httpMethod", "resourcePath": "$context.resourcePath", "path": "$context.path", "apiId": "$context.apiId", "domainName": "$context.domainName", "requestTimeEpoch": $context.requestTimeEpoch, "accountId": "$context.accountId"}' }
          /teapot:
            get:
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: { application/json: "{\\"statusCode\\": $input.params('code')}" }
                responses:
                  "4\\\\d{2}":
                    statusCode: "418"
                    responseTemplates: { application/json: '{"message": "short and stout"}', text/plain: "short and stout" }
                  "5\\\\d{2}": { statusCode: "503" }
                  default: { statusCode: "200" }
          /moods:
            get:
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: { application/json: '{"statusCode": 200}' }
                responses:
                  default:
                    statusCode: "200"
                    responseTemplates: { application/json: "#if($input.params('mood') == 'sad'){\\"mood\\": \\"sad\\"}#else{\\"mood\\": \\"glad\\"}#end" }
`;

describe("REST API mock integrations", () => {
  it("answers a DefinitionBody's mock routes from their integration responses; /health beats {proxy+}; a CORS preflight gets its headers", { timeout: 60_000 }, async () => {
    const sim = await startLambdaSim(["--template", writeStackTemplate(TEMPLATE), "--in-memory"]);
    try {
      const base = /Shop \(REST API, stage v1\): (\S+)/.exec(sim.output())![1]!;
      expect(sim.output()).toContain("REST API Shop: GET /health → mock (OpenAPI)");
      // What lambda-sim does not evaluate of a template is said at start.
      expect(sim.output()).toContain("Shop GET /moods mapping template: VTL directive #if (not evaluated, written out as is");

      // GET /health: the mock's answer, not the {proxy+} function's.
      const health = await fetch(new URL("health", base));
      expect([health.status, health.headers.get("x-health"), health.headers.get("content-type"), await health.json()]).toEqual([200, "ok", "application/json", { status: "ok", stage: "v1", resource: "/health" }]);
      expect(health.headers.get("x-amzn-requestid")).toMatch(/^[0-9a-f-]{36}$/);
      // Other paths, and other methods on /health, still reach the function.
      const other = await fetch(new URL("health/deep", base));
      expect([other.status, await other.json()]).toEqual([200, { resource: "/{proxy+}", path: "/health/deep" }]);
      const post = await fetch(new URL("health", base), { method: "POST" });
      expect([post.status, await post.json()]).toEqual([200, { resource: "/{proxy+}", path: "/health" }]);

      // Every $context variable a template gets says what the Lambda proxy event's requestContext says.
      const contextAnswer = await fetch(new URL("context", base));
      const context = (await contextAnswer.json()) as { requestTimeEpoch: number };
      const proxied = (await (await fetch(new URL("echo-context", base))).json()) as Record<string, string> & { requestTimeEpoch: number };
      expect(proxied.path).toBe("/v1/echo-context");
      expect(context).toEqual({
        requestId: contextAnswer.headers.get("x-amzn-requestid"),
        extendedRequestId: contextAnswer.headers.get("x-amz-apigw-id"),
        stage: proxied.stage,
        httpMethod: proxied.httpMethod,
        resourcePath: "/context",
        path: "/v1/context",
        apiId: proxied.apiId,
        domainName: proxied.domainName,
        requestTimeEpoch: expect.any(Number),
        accountId: proxied.accountId,
      });
      expect(context.requestTimeEpoch).toBeLessThanOrEqual(proxied.requestTimeEpoch);

      // The CORS preflight a browser sends: the integration response's status and literal headers, no body.
      const preflight = await fetch(new URL("health", base), { method: "OPTIONS", headers: { origin: "https://shop.example", "access-control-request-method": "GET" } });
      expect(preflight.status).toBe(204);
      expect(Object.fromEntries(["access-control-allow-origin", "access-control-allow-methods", "access-control-allow-headers"].map((h) => [h, preflight.headers.get(h)]))).toEqual({
        "access-control-allow-origin": "https://shop.example",
        "access-control-allow-methods": "GET,OPTIONS",
        "access-control-allow-headers": "Content-Type,Authorization",
      });
      expect(await preflight.text()).toBe("");

      // The status the request template renders picks the response by its pattern, else default.
      const teapot = await fetch(new URL("teapot?code=404", base));
      expect([teapot.status, await teapot.json()]).toEqual([418, { message: "short and stout" }]);
      // The response template for the client's Accept type; the Content-Type stays application/json (no response parameter sets it).
      const plain = await fetch(new URL("teapot?code=404", base), { headers: { accept: "text/plain" } });
      expect([plain.status, plain.headers.get("content-type"), await plain.text()]).toEqual([418, "application/json", "short and stout"]);
      const unavailable = await fetch(new URL("teapot?code=500", base));
      expect([unavailable.status, await unavailable.text()]).toEqual([503, ""]);
      // A pattern matches the whole status code: 4000 is no 4xx.
      const ok = await fetch(new URL("teapot?code=4000", base));
      expect(ok.status).toBe(200);
      // No integer statusCode from the template (no ?code): API Gateway's 500.
      const none = await fetch(new URL("teapot", base));
      expect([none.status, none.headers.get("x-amzn-errortype"), await none.json()]).toEqual([500, "InternalServerErrorException", { message: "Internal server error" }]);

      // VTL directives are not evaluated: the template goes out as written.
      expect(await (await fetch(new URL("moods?mood=sad", base))).text()).toContain("#if(");
    } finally {
      await sim.kill();
    }
  });

  it("answers an AWS::ApiGateway::Method's MOCK integration, its IntegrationResponses chosen by SelectionPattern", { timeout: 60_000 }, async () => {
    const sim = await startLambdaSim(["--template", writeStackTemplate(CFN_TEMPLATE), "--in-memory"]);
    try {
      const base = /Api \(REST API, stage v1\): (\S+)/.exec(sim.output())![1]!;
      expect(sim.output()).toContain("REST API Api: GET /status → mock");
      const json = await fetch(new URL("status", base));
      expect([json.status, json.headers.get("cache-control"), await json.json()]).toEqual([200, "no-store", { up: true }]);
      // A body whose Content-Type has no request template, with NEVER: refused before the mock answers.
      const xml = await fetch(new URL("status", base), { headers: { "content-type": "application/xml" } });
      expect([xml.status, await xml.json()]).toEqual([415, { message: "Unsupported Media Type" }]);
    } finally {
      await sim.kill();
    }
  });

  it("refuses a mock route on an HTTP API in lambda-sim.yaml: HTTP APIs have no mock integration", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "mock-http-")), "lambda-sim.yaml");
    writeFileSync(file, `apis:\n  web:\n    routes:\n      "GET /health": { mock: { requestTemplates: { application/json: '{"statusCode": 200}' }, responses: { default: { statusCode: "200" } } } }\n`);
    const { code, stdout, stderr } = await runCli(["start", "--config", file, "--in-memory", "--port", "0"]);
    expect(code).toBe(1);
    expect(stdout + stderr).toContain("mock integrations are only supported for REST APIs (protocolType: REST): HTTP APIs have none");
  });
});

const CFN_TEMPLATE = `Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: { Name: status-api }
  StatusResource:
    Type: AWS::ApiGateway::Resource
    Properties: { RestApiId: !Ref Api, ParentId: !GetAtt Api.RootResourceId, PathPart: status }
  StatusMethod:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !Ref StatusResource
      HttpMethod: GET
      AuthorizationType: NONE
      Integration:
        Type: MOCK
        PassthroughBehavior: NEVER
        RequestTemplates: { application/json: '{"statusCode": 200}' }
        IntegrationResponses:
          - StatusCode: "500"
            SelectionPattern: "5\\\\d{2}"
          - StatusCode: "200"
            ResponseParameters: { method.response.header.Cache-Control: "'no-store'" }
            ResponseTemplates: { application/json: '{"up": true}' }
  Deployment:
    Type: AWS::ApiGateway::Deployment
    DependsOn: StatusMethod
    Properties: { RestApiId: !Ref Api, StageName: v1 }
`;
