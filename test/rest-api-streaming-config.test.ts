import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli, startLambdaSim } from "./support/lambda-sim-process.ts";
import { writeStackTemplate } from "./support/sam-stack.ts";

/**
 * Where a REST route's `responseTransferMode: STREAM` comes from (rest-api-streaming.test.ts tests
 * what it does): lambda-sim.yaml, a SAM Api event's ResponseTransferMode, an AWS::ApiGateway::Method's
 * Integration.ResponseTransferMode with the response-streaming-invocations URI; and where AWS
 * refuses it (an HTTP API; STREAM with Invoke's URI).
 */
const codeUri = fileURLToPath(new URL("./fixtures/functions/rest-streaming/", import.meta.url));

describe("responseTransferMode in configuration", () => {
  it("a SAM Api event's ResponseTransferMode: STREAM streams its route", { timeout: 60_000 }, async () => {
    const template = `Transform: AWS::Serverless-2016-10-31
Resources:
  Chat:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs24.x
      Handler: index.handler
      InlineCode: |
        exports.handler = awslambda.streamifyResponse(async (event, responseStream) => {
          const s = awslambda.HttpResponseStream.from(responseStream, { statusCode: 200, headers: { "content-type": "text/plain" } });
          s.write("hello ");
          s.end(event.path);
        });
      Events:
        Rest: { Type: Api, Properties: { Path: /chat, Method: GET, ResponseTransferMode: STREAM } }
`;
    const started = await startLambdaSim(["--template", writeStackTemplate(template), "--in-memory"]);
    try {
      expect(started.output()).toContain("GET /chat → ");
      expect(started.output()).toContain("(streamed)");
      const base = /ServerlessRestApi \(REST API, stage Prod\): (\S+)/.exec(started.output())![1]!;
      const res = await fetch(new URL("chat", base));
      expect([res.status, res.headers.get("content-type"), res.headers.get("transfer-encoding"), await res.text()]).toEqual([200, "text/plain", "chunked", "hello /chat"]);
    } finally {
      await started.kill();
    }
  });

  it("an AWS::ApiGateway::Method's ResponseTransferMode: STREAM with the response-streaming-invocations URI streams its route", { timeout: 60_000 }, async () => {
    const started = await startLambdaSim(["--template", writeStackTemplate(CFN_TEMPLATE("STREAM", "2021-11-15", "response-streaming-invocations")), "--in-memory"]);
    try {
      expect(started.output()).toContain("REST API Api: GET /chat → ");
      const base = /Api \(REST API, stage v1\): (\S+)/.exec(started.output())![1]!;
      const res = await fetch(new URL("chat", base));
      expect([res.status, res.headers.get("content-type"), res.headers.get("transfer-encoding"), await res.text()]).toEqual([200, "text/plain", "chunked", "hello /chat"]);
      // The root's BUFFERED method, with Invoke's URI, answers as a proxy integration does.
      const plain = await fetch(base);
      expect([plain.status, await plain.text()]).toEqual([200, "plain /"]);
    } finally {
      await started.kill();
    }
  });

  it("STREAM with Invoke's URI (or BUFFERED with InvokeWithResponseStream's) is refused at start: API Gateway does not support it", async () => {
    const { code, stderr } = await runCli(["start", "--template", writeStackTemplate(CFN_TEMPLATE("STREAM", "2015-03-31", "invocations")), "--in-memory", "--port", "0"]);
    expect(code).toBe(1);
    expect(stderr).toContain("ResponseTransferMode STREAM with a URI ending in /invocations: API Gateway does not support this combination");
  });

  it("an HTTP API route with STREAM is refused: API Gateway streams REST APIs only", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rest-streaming-http-"));
    const file = join(dir, "lambda-sim.yaml");
    writeFileSync(file, `functions:\n  chat: { runtime: nodejs24.x, handler: index.chat, codeUri: ${JSON.stringify(codeUri)} }\napis:\n  web:\n    routes:\n      "GET /chat": { functionName: chat, responseTransferMode: STREAM }\n`);
    const { code, stdout, stderr } = await runCli(["start", "--config", file, "--in-memory", "--port", "0"]);
    expect(code).toBe(1);
    expect(stdout).not.toContain("listening on");
    expect(stderr).toContain(`apis.web.routes["GET /chat"].responseTransferMode: STREAM is only supported for REST APIs (protocolType: REST)`);
  });

  it("an HttpApi event with ResponseTransferMode: STREAM is refused the same way", async () => {
    const template = `Transform: AWS::Serverless-2016-10-31
Resources:
  Chat:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs24.x
      Handler: index.handler
      InlineCode: "exports.handler = async () => ({ statusCode: 200 });"
      Events:
        Http: { Type: HttpApi, Properties: { Path: /chat, Method: GET, ResponseTransferMode: STREAM } }
`;
    const { code, stderr } = await runCli(["start", "--template", writeStackTemplate(template), "--in-memory", "--port", "0"]);
    expect(code).toBe(1);
    expect(stderr).toContain("STREAM is only supported for REST APIs");
  });
});

/** A REST API of CloudFormation's own resources: GET /chat (the mode and URI given) and GET / (BUFFERED). */
const CFN_TEMPLATE = (mode: string, version: string, action: string) => `Transform: AWS::Serverless-2016-10-31
Resources:
  Chat:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs24.x
      Handler: index.handler
      InlineCode: |
        exports.handler = awslambda.streamifyResponse(async (event, responseStream) => {
          const s = awslambda.HttpResponseStream.from(responseStream, { statusCode: 200, headers: { "content-type": "text/plain" } });
          s.write("hello ");
          s.end(event.path);
        });
  Plain:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs24.x
      Handler: index.handler
      InlineCode: "exports.handler = async (event) => ({ statusCode: 200, body: 'plain ' + event.path });"
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: { Name: chat-api }
  ChatResource:
    Type: AWS::ApiGateway::Resource
    Properties: { RestApiId: !Ref Api, ParentId: !GetAtt Api.RootResourceId, PathPart: chat }
  ChatMethod:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !Ref ChatResource
      HttpMethod: GET
      AuthorizationType: NONE
      Integration:
        Type: AWS_PROXY
        IntegrationHttpMethod: POST
        Uri: !Sub "arn:aws:apigateway:\${AWS::Region}:lambda:path/${version}/functions/\${Chat.Arn}/${action}"
        ResponseTransferMode: ${mode}
        TimeoutInMillis: 60000
  RootMethod:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !GetAtt Api.RootResourceId
      HttpMethod: GET
      AuthorizationType: NONE
      Integration:
        Type: AWS_PROXY
        IntegrationHttpMethod: POST
        Uri: !Sub "arn:aws:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/\${Plain.Arn}/invocations"
  Deployment:
    Type: AWS::ApiGateway::Deployment
    DependsOn: [ChatMethod, RootMethod]
    Properties: { RestApiId: !Ref Api, StageName: v1 }
`;

