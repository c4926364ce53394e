import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { allSources } from "../config/simulator-settings.ts";
import { loadTemplate } from "./load-template.ts";

async function load(template: string) {
  const dir = join(mkdtempSync(join(tmpdir(), "lambda-sim-api-events-")), "shop");
  mkdirSync(join(dir, "src"), { recursive: true });
  writeFileSync(join(dir, "src", "app.mjs"), "export const handler = async () => ({});\n");
  writeFileSync(join(dir, "template.yaml"), template);
  return loadTemplate(join(dir, "template.yaml"), { sources: allSources(), endpoint: "http://127.0.0.1:3001", codeRoot: join(dir, ".state") });
}

const FN = (id: string, events: string) => `  ${id}:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: nodejs24.x\n      Handler: app.handler\n      CodeUri: src/\n      FunctionName: ${id.toLowerCase()}\n      Events:\n${events}`;

describe("SAM Api and HttpApi events", () => {
  it("make routes of the implicit APIs (ServerlessRestApi, stage Prod; ServerlessHttpApi, $default)", async () => {
    const config = await load(
      ["Transform: AWS::Serverless-2016-10-31", "Resources:", FN("Pets", "        Get:\n          Type: Api\n          Properties: { Path: '/pets/{id}', Method: get }\n        Any:\n          Type: HttpApi\n"), "Outputs:", "  Url:", '    Value: !Sub "https://${ServerlessRestApi}.execute-api.${AWS::Region}.amazonaws.com/Prod/"', ""].join("\n"),
    );
    const apis = config.sources.apis as Record<string, any>;
    expect(apis.ServerlessRestApi).toMatchObject({ protocolType: "REST", id: expect.stringMatching(/^[0-9a-f]{10}$/), stages: { Prod: { stageVariables: {} } }, routes: { "GET /pets/{id}": { functionName: "pets" } } });
    expect(apis.ServerlessHttpApi).toMatchObject({ protocolType: "HTTP", routes: { $default: { functionName: "pets" } } });
    expect(config.template?.lines.join("\n")).toContain(`output Url: https://${apis.ServerlessRestApi.id}.execute-api.us-east-1.amazonaws.com/Prod/`);
  });

  it("read AWS::Serverless::Api and HttpApi: stage, variables, binary media types, CORS, Lambda authorizers and the default authorizer", async () => {
    const config = await load(
      [
        "Transform: AWS::Serverless-2016-10-31",
        "Resources:",
        "  Rest:",
        "    Type: AWS::Serverless::Api",
        "    Properties:",
        "      StageName: live",
        "      Variables: { table: t1 }",
        "      BinaryMediaTypes: [image~1png]",
        "      Auth:",
        "        DefaultAuthorizer: Tok",
        "        Authorizers:",
        "          Tok: { FunctionArn: !GetAtt Auth.Arn, Identity: { ReauthorizeEvery: 60 } }",
        "  Http:",
        "    Type: AWS::Serverless::HttpApi",
        "    Properties:",
        "      CorsConfiguration: { AllowOrigins: [https://a.example], AllowMethods: [GET], MaxAge: 60 }",
        "      Auth:",
        "        Authorizers:",
        "          Simple: { FunctionArn: !GetAtt Auth.Arn, AuthorizerPayloadFormatVersion: '2.0', EnableSimpleResponses: true, Identity: { Headers: [Authorization] } }",
        FN("Auth", "        None: { Type: SQS, Properties: { Queue: arn:aws:sqs:us-east-1:000000000000:q } }\n"),
        FN("Pets", "        A:\n          Type: Api\n          Properties: { RestApiId: !Ref Rest, Path: /pets, Method: post }\n        B:\n          Type: Api\n          Properties: { RestApiId: !Ref Rest, Path: /open, Method: get, Auth: { Authorizer: NONE } }\n        C:\n          Type: HttpApi\n          Properties: { ApiId: !Ref Http, Path: /pets, Method: GET, Auth: { Authorizer: Simple }, PayloadFormatVersion: '1.0' }\n"),
        "",
      ].join("\n"),
    );
    const apis = config.sources.apis as Record<string, any>;
    expect(apis.Rest).toMatchObject({
      protocolType: "REST",
      stages: { live: { stageVariables: { table: "t1" } } },
      binaryMediaTypes: ["image/png"],
      authorizers: { Tok: { functionName: "auth", type: "TOKEN", identitySource: ["method.request.header.Authorization"], authorizerResultTtlInSeconds: 60 } },
      routes: { "POST /pets": { functionName: "pets", authorizer: "Tok" }, "GET /open": { functionName: "pets", authorizer: "NONE" } },
    });
    expect(apis.Http).toMatchObject({
      protocolType: "HTTP",
      stages: { $default: { stageVariables: {} } },
      corsConfiguration: { allowOrigins: ["https://a.example"], allowMethods: ["GET"], maxAge: 60 },
      authorizers: { Simple: { functionName: "auth", identitySource: ["$request.header.Authorization"], enableSimpleResponses: true, authorizerPayloadFormatVersion: "2.0" } },
      routes: { "GET /pets": { functionName: "pets", authorizer: "Simple", payloadFormatVersion: "1.0" } },
    });
  });

  it("take Globals on the implicit APIs as on declared ones: the REST API keeps stage Prod (SAM sets it; StageName is no Globals property)", async () => {
    const config = await load(
      [
        "Transform: AWS::Serverless-2016-10-31",
        "Globals:",
        "  Api: { StageName: v2, Variables: { table: t1 }, BinaryMediaTypes: [image~1png], Cors: \"'*'\" }",
        "  HttpApi: { StageVariables: { mode: m }, CorsConfiguration: true }",
        "Resources:",
        FN("Pets", "        Get:\n          Type: Api\n          Properties: { Path: /pets, Method: get, Auth: { ApiKeyRequired: true } }\n        Any:\n          Type: HttpApi\n"),
        "",
      ].join("\n"),
    );
    const apis = config.sources.apis as Record<string, any>;
    expect(apis.ServerlessRestApi).toMatchObject({ stages: { Prod: { stageVariables: { table: "t1" } } }, binaryMediaTypes: ["image/png"], routes: { "GET /pets": { functionName: "pets" } } });
    expect(Object.keys(apis.ServerlessRestApi.stages)).toEqual(["Prod"]);
    expect(apis.ServerlessHttpApi).toMatchObject({ stages: { $default: { stageVariables: { mode: "m" } } }, corsConfiguration: { allowOrigins: ["*"] } });
    // Globals: Api: Cors reaches the implicit API: SAM's OPTIONS mock on its path (test/sam-rest-cors.test.ts answers it).
    expect(apis.ServerlessRestApi.routes["OPTIONS /pets"]).toMatchObject({ mock: { responses: { default: { statusCode: "200", responseParameters: { "method.response.header.Access-Control-Allow-Origin": "'*'", "method.response.header.Access-Control-Allow-Methods": "'GET,OPTIONS'" } } } } });
    expect(config.template?.lines.join("\n")).toContain("not simulated (yet): Pets.Get.Auth.ApiKeyRequired (API keys)");
    expect(config.template?.lines.join("\n")).not.toContain("ServerlessRestApi.Cors");
  });

  it("leave routes whose authorizer is not simulated (AWS_IAM, JWT) open and say so; refuse an authorizer the API does not declare", async () => {
    const globals = (http: string) =>
      ["Transform: AWS::Serverless-2016-10-31", "Globals:", "  Api: { Auth: { DefaultAuthorizer: AWS_IAM } }", `  HttpApi: { Auth: { DefaultAuthorizer: ${http}, Authorizers: { Jwt: { JwtConfiguration: { issuer: 'https://i' } } } } }`, "Resources:"];
    const events = "        A:\n          Type: Api\n          Properties: { Path: /a, Method: get }\n        B:\n          Type: HttpApi\n          Properties: { Path: /b, Method: get }\n";
    const config = await load([...globals("Jwt"), FN("Pets", events), ""].join("\n"));
    const apis = config.sources.apis as Record<string, any>;
    expect(apis.ServerlessRestApi.routes["GET /a"]).toEqual({ functionName: "pets" });
    expect(apis.ServerlessHttpApi.routes["GET /b"]).toEqual({ functionName: "pets" });
    expect(config.template?.lines.join("\n")).toContain(
      "not simulated (yet): ServerlessHttpApi.Auth.Authorizers.Jwt (only Lambda authorizers are simulated: its routes are open), ServerlessRestApi AWS_IAM authorization (lambda-sim checks no permissions: its routes are open)",
    );
    await expect(load([...globals("Jtw"), FN("Pets", events), ""].join("\n"))).rejects.toThrow(/:19 Resources\.Pets\.Properties\.Events\.B\.Properties: authorizer Jtw is not one of ServerlessHttpApi's Auth\.Authorizers \(it has Jwt\)/);
  });
});
