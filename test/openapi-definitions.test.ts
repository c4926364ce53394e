import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, startLambdaSim } from "./support/lambda-sim-process.ts";
import { writeStackTemplate } from "./support/sam-stack.ts";

/**
 * APIs described by an OpenAPI definition, as most SAM projects with more than a few routes write
 * them: an HttpApi's inline DefinitionBody, a REST Api's DefinitionBody brought in with the
 * AWS::Include transform from a local file, each route's `x-amazon-apigateway-integration` calling a
 * function, a Lambda authorizer declared as a security scheme. What API Gateway would do with them
 * reaches the functions: route keys, path parameters, the authorizer's verdict.
 */
const ECHO = "exports.handler = async (event) => ({ statusCode: 200, body: JSON.stringify({ routeKey: event.routeKey, resource: event.resource, pathParameters: event.pathParameters, principal: event.requestContext.authorizer && event.requestContext.authorizer.principalId }) });";
const AUTH = `exports.handler = async (event) => ({ principalId: "ada", policyDocument: { Version: "2012-10-17", Statement: [{ Action: "execute-api:Invoke", Effect: event.authorizationToken === "ok" ? "Allow" : "Deny", Resource: event.methodArn }] } });`;

const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Globals:
  Function: { Runtime: nodejs24.x, Handler: index.handler }
Resources:
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: ${JSON.stringify(ECHO)}
      Events:
        Extra: { Type: Api, Properties: { RestApiId: !Ref Shop, Path: /extra, Method: get } }
  AuthFn:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: ${JSON.stringify(AUTH)}
  Orders:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionBody:
        openapi: "3.0.1"
        info: { title: orders, version: "1" }
        paths:
          /orders/{id}:
            get:
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !Sub arn:aws:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/\${Echo.Arn}/invocations
                payloadFormatVersion: "2.0"
          /health:
            get:
              x-amazon-apigateway-integration: { type: mock }
          /$default:
            x-amazon-apigateway-any-method:
              x-amazon-apigateway-integration:
                type: aws_proxy
                uri: !Sub arn:aws:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/\${Echo.Arn}/invocations
                payloadFormatVersion: "2.0"
  Shop:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      DefinitionBody:
        Fn::Transform:
          Name: AWS::Include
          Parameters: { Location: ./shop-openapi.yaml }
`;

const SHOP_OPENAPI = `swagger: "2.0"
info: { title: shop, version: "1" }
securityDefinitions:
  TokenAuth:
    type: apiKey
    name: Authorization
    in: header
    x-amazon-apigateway-authtype: custom
    x-amazon-apigateway-authorizer:
      type: token
      authorizerResultTtlInSeconds: 0
      authorizerUri:
        Fn::Sub: arn:aws:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/\${AuthFn.Arn}/invocations
paths:
  /items/{proxy+}:
    x-amazon-apigateway-any-method:
      security: [{ TokenAuth: [] }]
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri:
          Fn::Sub: arn:aws:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/\${Echo.Arn}/invocations
  /open:
    get:
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri:
          Fn::Sub: arn:aws:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/\${Echo.Arn}/invocations
`;

describe("APIs from OpenAPI definitions", () => {
  it("routes an HttpApi's DefinitionBody and a REST Api's AWS::Include'd definition to their functions, with the definition's Lambda authorizer", { timeout: 90_000 }, async () => {
    const template = writeStackTemplate(TEMPLATE);
    writeFileSync(join(dirname(template), "shop-openapi.yaml"), SHOP_OPENAPI);
    const sim = await startLambdaSim(["--template", template, "--in-memory"]);
    try {
      const http = /Orders \(HTTP API, stage \$default\): (\S+)/.exec(sim.output())![1]!;
      const rest = /Shop \(REST API, stage v1\): (\S+)/.exec(sim.output())![1]!;
      // What the definition asks and lambda-sim does not do is said at start.
      expect(sim.output()).toMatch(/Orders GET \/health \(a mock integration: only Lambda proxy integrations, aws_proxy, are simulated\)/);

      const order = await fetch(new URL("orders/42", http));
      expect([order.status, await order.json()]).toEqual([200, { routeKey: "GET /orders/{id}", pathParameters: { id: "42" } }]);
      const other = await fetch(new URL("anything/else", http), { method: "POST" });
      expect([other.status, await other.json()]).toEqual([200, { routeKey: "$default" }]);
      // The mock integration's route is not served (it is not a route here): the $default route takes it.
      expect(((await (await fetch(new URL("health", http))).json()) as { routeKey: string }).routeKey).toBe("$default");

      // REST: the security scheme's TOKEN authorizer guards /items/{proxy+}; /open has none.
      const none = await fetch(new URL("items/a/b", rest));
      expect([none.status, await none.json()]).toEqual([401, { message: "Unauthorized" }]);
      expect((await fetch(new URL("items/a/b", rest), { headers: { authorization: "nope" } })).status).toBe(403);
      const item = await fetch(new URL("items/a/b", rest), { method: "PUT", headers: { authorization: "ok" } });
      expect([item.status, await item.json()]).toEqual([200, { resource: "/items/{proxy+}", pathParameters: { proxy: "a/b" }, principal: "ada" }]);
      const open = await fetch(new URL("open", rest));
      expect([open.status, await open.json()]).toEqual([200, { resource: "/open", pathParameters: null }]);
      // Echo's own Api event on the API whose definition calls Echo: no circular dependency, as SAM deploys it (newuser15a).
      const extra = await fetch(new URL("extra", rest));
      expect([extra.status, await extra.json()]).toEqual([200, { resource: "/extra", pathParameters: null }]);
    } finally {
      await sim.kill();
    }
  });

  it("names the file and line of an include it cannot read, and of an HTTP API integration without its payloadFormatVersion", { timeout: 60_000 }, async () => {
    const template = writeStackTemplate(TEMPLATE.replace("payloadFormatVersion: \"2.0\"\n          /health", "timeoutInMillis: 5000\n          /health"));
    const r = await runCli(["start", "--template", template, "--in-memory", "--port", "0"]);
    const lineOf = (text: string) => TEMPLATE.split("\n").findIndex((l) => l.includes(text)) + 1;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${template}:${lineOf("Location: ./shop-openapi.yaml")} Resources.Shop.Properties.DefinitionBody.Fn::Transform.Parameters.Location: AWS::Include: file not found: ${join(dirname(template), "shop-openapi.yaml")} (the path is relative to the template's folder)`);
    // An event on a path and method the definition already integrates: SAM's refusal, at the event.
    const twice = writeStackTemplate(TEMPLATE.replace("Path: /extra, Method: get", "Path: /open, Method: get"));
    writeFileSync(join(dirname(twice), "shop-openapi.yaml"), SHOP_OPENAPI);
    const dup = await runCli(["start", "--template", twice, "--in-memory", "--port", "0"]);
    expect(dup.stderr).toContain(`${twice}:${lineOf("Extra: { Type: Api")} Resources.Echo.Properties.Events.Extra.Properties: Lambda integration already exists on Path=/open, Method=get`);
    expect(r.stderr).toContain(`${template}:${lineOf("x-amazon-apigateway-integration:")} Resources.Orders.Properties.DefinitionBody.paths./orders/{id}.get.x-amazon-apigateway-integration: payloadFormatVersion is required for an HTTP API's Lambda integration: 1.0 or 2.0`);
  });
  it("merges an include written beside other keys, or as a list of includes, as CloudFormation does; refuses an include that includes itself", { timeout: 90_000 }, async () => {
    const paths = (route: string) => `${route}:\n  get:\n    x-amazon-apigateway-integration:\n      type: aws_proxy\n      httpMethod: POST\n      uri:\n        Fn::Sub: arn:aws:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/\${Echo.Arn}/invocations\n`;
    const include = (file: string, indent: string) => `${indent}- Name: AWS::Include\n${indent}  Parameters: { Location: ${file} }\n`;
    // The definition's own keys beside a list of two includes: a.yaml brings paths, b.yaml a vendor extension.
    const shop = `      DefinitionBody:\n        swagger: "2.0"\n        info: { title: shop, version: "1" }\n        Fn::Transform:\n${include("./a.yaml", "          ")}${include("./b.yaml", "          ")}`;
    const template = writeStackTemplate(TEMPLATE.slice(0, TEMPLATE.indexOf("      DefinitionBody:\n        Fn::Transform")) + shop);
    writeFileSync(join(dirname(template), "a.yaml"), `paths:\n${(paths("/a") + paths("/b")).trimEnd().replace(/^/gm, "  ")}\n`);
    writeFileSync(join(dirname(template), "b.yaml"), "x-amazon-apigateway-minimum-compression-size: 1024\n");
    const sim = await startLambdaSim(["--template", template, "--in-memory"]);
    try {
      const rest = /Shop \(REST API, stage v1\): (\S+)/.exec(sim.output())![1]!;
      for (const route of ["a", "b"]) {
        const r = await fetch(new URL(route, rest));
        expect([r.status, await r.json()]).toEqual([200, { resource: `/${route}`, pathParameters: null }]);
      }
    } finally {
      await sim.kill();
    }

    writeFileSync(join(dirname(template), "a.yaml"), "Fn::Transform:\n  Name: AWS::Include\n  Parameters: { Location: ./a.yaml }\n");
    const r = await runCli(["start", "--template", template, "--in-memory", "--port", "0"]);
    expect([r.code, r.stderr]).toEqual([1, expect.stringContaining("AWS::Include nested more than 16 deep: does an included file include itself?")]);
  });
});
