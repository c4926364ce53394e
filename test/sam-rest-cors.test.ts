import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { chromiumSkip, dashboardPages } from "./support/dashboard-page.ts";
import { runCli, startLambdaSim } from "./support/lambda-sim-process.ts";
import { writeStackTemplate } from "./support/sam-stack.ts";

/**
 * SAM's `Cors` on a REST API (AWS::Serverless::Api, or `Globals: Api: Cors`), as SAM builds it: an
 * OPTIONS method with a MOCK integration on every path of the API, answering a browser's preflight
 * with the Access-Control-* headers given (AllowMethods, when not given, the path's own methods).
 * The function's answers keep only the headers it returns itself.
 */
const ECHO = "exports.handler = async (event) => ({ statusCode: 200, body: JSON.stringify({ method: event.httpMethod, resource: event.resource }) });";
// Allows the whole stage: its answer is cached per token, and checked against each later method's ARN.
const AUTHORIZER = `exports.handler = async (e) => { if (e.authorizationToken !== "allow") throw new Error("Unauthorized"); return { principalId: "u", policyDocument: { Version: "2012-10-17", Statement: [{ Action: "execute-api:Invoke", Effect: "Allow", Resource: e.methodArn.split("/").slice(0, 2).join("/") + "/*" }] } }; };`;

const CORS_HEADERS = ["access-control-allow-origin", "access-control-allow-methods", "access-control-allow-headers", "access-control-max-age", "access-control-allow-credentials"];
const cors = (r: Response) => Object.fromEntries(CORS_HEADERS.map((h) => [h, r.headers.get(h)]).filter(([, v]) => v !== null));
const preflight = (url: URL, headers: Record<string, string> = {}) => fetch(url, { method: "OPTIONS", headers: { origin: "https://app.example", "access-control-request-method": "POST", "access-control-request-headers": "content-type", ...headers } });

const GLOBALS = `Transform: AWS::Serverless-2016-10-31
Globals:
  Api:
    Cors:
      AllowOrigin: "'https://app.example'"
      AllowHeaders: "'Content-Type,X-Api-Key'"
      MaxAge: "'600'"
Resources:
  Items:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs24.x
      Handler: index.handler
      InlineCode: ${JSON.stringify(ECHO)}
      Events:
        List: { Type: Api, Properties: { Path: /items, Method: get } }
        Add: { Type: Api, Properties: { Path: /items, Method: post } }
        One: { Type: Api, Properties: { Path: "/items/{id}", Method: get } }
        Rest: { Type: Api, Properties: { Path: "/{proxy+}", Method: any } }
`;

const APIS = `Transform: AWS::Serverless-2016-10-31
Resources:
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs24.x
      Handler: index.handler
      InlineCode: ${JSON.stringify(ECHO)}
      Events:
        Put: { Type: Api, Properties: { RestApiId: !Ref Open, Path: /docs, Method: put } }
  Auth:
    Type: AWS::Serverless::Function
    Properties: { Runtime: nodejs24.x, Handler: index.handler, InlineCode: ${JSON.stringify(AUTHORIZER)} }
  Guarded:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      Cors: "'*'"
      Auth:
        DefaultAuthorizer: Tok
        Authorizers: { Tok: { FunctionArn: !GetAtt Auth.Arn } }
      DefinitionBody:
        openapi: "3.0.1"
        info: { title: guarded, version: "1" }
        paths:
          /health:
            get:
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: { application/json: '{"statusCode": 200}' }
                responses: { default: { statusCode: "200" } }
          /orders:
            get:
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !Sub arn:aws:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/\${Echo.Arn}/invocations
            options:
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: { application/json: '{"statusCode": 200}' }
                responses: { default: { statusCode: "204", responseParameters: { method.response.header.X-Own: "'yes'" } } }
  Open:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      Cors: { AllowOrigin: "'https://app.example'", AllowMethods: "'GET,PUT'", AllowCredentials: true }
      Auth:
        DefaultAuthorizer: Tok
        AddDefaultAuthorizerToCorsPreflight: false
        Authorizers: { Tok: { FunctionArn: !GetAtt Auth.Arn } }
`;

/** A function that answers a browser as SAM's docs say it must: with its own Access-Control-Allow-Origin. */
const NOTES = `exports.handler = async (event) => { const origin = Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === "origin")?.[1]; return { statusCode: 200, headers: { "Access-Control-Allow-Origin": origin }, body: JSON.stringify({ method: event.httpMethod, saved: JSON.parse(event.body) }) }; };`;

const openPage = dashboardPages();

describe("SAM Cors on REST APIs", () => {
  it("answers preflights on every path of the implicit API from Globals: Api: Cors; the function's own answers get no CORS headers", { timeout: 60_000 }, async () => {
    const sim = await startLambdaSim(["--template", writeStackTemplate(GLOBALS), "--in-memory"]);
    try {
      const base = /ServerlessRestApi \(REST API, stage Prod\): (\S+)/.exec(sim.output())![1]!;
      expect(sim.output()).toContain("REST API ServerlessRestApi: OPTIONS /items → mock (Cors)");
      expect(sim.output()).not.toMatch(/ServerlessRestApi\.Cors/);

      // SAM's mock: 200, the headers given, AllowMethods the path's methods and OPTIONS, sorted; its
      // response template `{}` (with SAM's newline); no function is called.
      const items = await preflight(new URL("items", base));
      expect([items.status, items.headers.get("content-type"), await items.text()]).toEqual([200, "application/json", "{}\n"]);
      expect(cors(items)).toEqual({
        "access-control-allow-origin": "https://app.example",
        "access-control-allow-methods": "GET,OPTIONS,POST",
        "access-control-allow-headers": "Content-Type,X-Api-Key",
        "access-control-max-age": "600",
      });
      expect(cors(await preflight(new URL("items/42", base)))["access-control-allow-methods"]).toBe("GET,OPTIONS");
      // The {proxy+} path's preflight: its own OPTIONS mock beats the ANY function route; ANY is every method.
      const deep = await preflight(new URL("files/report.pdf", base));
      expect([deep.status, await deep.text(), cors(deep)["access-control-allow-methods"]]).toEqual([200, "{}\n", "DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT"]);

      // The methods still reach the function, whose answer has only the headers it returns (a Lambda proxy's).
      const get = await fetch(new URL("items", base), { headers: { origin: "https://app.example" } });
      expect([get.status, await get.json(), cors(get)]).toEqual([200, { method: "GET", resource: "/items" }, {}]);
      const post = await fetch(new URL("files/a", base), { method: "POST", headers: { origin: "https://app.example" } });
      expect([post.status, await post.json()]).toEqual([200, { method: "POST", resource: "/{proxy+}" }]);
      // No path "/" on the API (SAM adds none): API Gateway's 403, as on AWS.
      expect((await preflight(new URL(base))).status).toBe(403);
    } finally {
      await sim.kill();
    }
  });

  it("a string Cors is AllowOrigin alone; an API's own OPTIONS is left alone; the default authorizer guards preflights unless AddDefaultAuthorizerToCorsPreflight is false", { timeout: 60_000 }, async () => {
    const sim = await startLambdaSim(["--template", writeStackTemplate(APIS), "--in-memory"]);
    try {
      const guarded = /Guarded \(REST API, stage v1\): (\S+)/.exec(sim.output())![1]!;
      const open = /Open \(REST API, stage v1\): (\S+)/.exec(sim.output())![1]!;

      // SAM puts the DefaultAuthorizer on the OPTIONS methods it adds: a browser's preflight carries no Authorization.
      const denied = await preflight(new URL("health", guarded));
      expect([denied.status, await denied.json()]).toEqual([401, { message: "Unauthorized" }]);
      const health = await preflight(new URL("health", guarded), { authorization: "allow" });
      expect([health.status, cors(health)]).toEqual([200, { "access-control-allow-origin": "*", "access-control-allow-methods": "GET,OPTIONS" }]);
      // A path whose definition has an OPTIONS method keeps it: SAM adds none there.
      const orders = await preflight(new URL("orders", guarded), { authorization: "allow" });
      expect([orders.status, orders.headers.get("x-own"), cors(orders)]).toEqual([204, "yes", {}]);

      // AddDefaultAuthorizerToCorsPreflight: false: the preflight is open, the method itself is not.
      const docs = await preflight(new URL("docs", open));
      expect([docs.status, cors(docs)]).toEqual([200, { "access-control-allow-origin": "https://app.example", "access-control-allow-methods": "GET,PUT", "access-control-allow-credentials": "true" }]);
      expect((await fetch(new URL("docs", open), { method: "PUT" })).status).toBe(401);
      const put = await fetch(new URL("docs", open), { method: "PUT", headers: { authorization: "allow" } });
      expect([put.status, await put.json()]).toEqual([200, { method: "PUT", resource: "/docs" }]);
    } finally {
      await sim.kill();
    }
  });

  it("refuses at start what SAM or API Gateway refuses: AllowCredentials with origin '*', an unquoted value, Cors with a DefinitionUri", async () => {
    const template = `Transform: AWS::Serverless-2016-10-31
Resources:
  Wild:
    Type: AWS::Serverless::Api
    Properties: { StageName: v1, Cors: { AllowCredentials: true } }
  Bare:
    Type: AWS::Serverless::Api
    Properties: { StageName: v1, Cors: { AllowOrigin: https://app.example } }
  Uri:
    Type: AWS::Serverless::Api
    Properties: { StageName: v1, Cors: "'*'", DefinitionUri: openapi.yaml }
`;
    const { code, stdout, stderr } = await runCli(["start", "--template", writeStackTemplate(template), "--in-memory", "--port", "0"]);
    expect(code).toBe(1);
    const out = stdout + stderr;
    expect(out).toContain("Resources.Wild.Properties.Cors: Unable to add Cors configuration because 'AllowCredentials' can not be true when 'AllowOrigin' is \"'*'\" or not set");
    expect(out).toContain("Resources.Bare.Properties.Cors.AllowOrigin: Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: https://app.example]");
    expect(out).toContain("Resources.Uri.Properties.Cors: Cors works only with inline Swagger specified in 'DefinitionBody' property.");
  });

  it("refuses at start a Cors SAM refuses: a null or empty AllowOrigin on an API with a path, a Cors neither string nor map; and a value API Gateway would refuse", async () => {
    // SAM's CorsProperties defaults a missing AllowOrigin to '*', but an AllowOrigin written null
    // stays null, and swagger.py add_cors refuses it for the first path it adds an OPTIONS to.
    const template = `Transform: AWS::Serverless-2016-10-31
Resources:
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs24.x
      Handler: index.handler
      InlineCode: ${JSON.stringify(ECHO)}
      Events:
        A: { Type: Api, Properties: { RestApiId: !Ref NullOrigin, Path: /a, Method: get } }
        B: { Type: Api, Properties: { RestApiId: !Ref NullWithCredentials, Path: /b, Method: get } }
        C: { Type: Api, Properties: { RestApiId: !Ref FalseOrigin, Path: /c, Method: get } }
        D: { Type: Api, Properties: { RestApiId: !Ref ListOrigin, Path: /d, Method: get } }
        E: { Type: Api, Properties: { RestApiId: !Ref NumberMaxAge, Path: /e, Method: get } }
  NullOrigin:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      Cors:
        AllowOrigin:
  NullWithCredentials:
    Type: AWS::Serverless::Api
    Properties: { StageName: v1, Cors: { AllowOrigin: null, AllowCredentials: true } }
  FalseOrigin:
    Type: AWS::Serverless::Api
    Properties: { StageName: v1, Cors: { AllowOrigin: false } }
  ListOrigin:
    Type: AWS::Serverless::Api
    Properties: { StageName: v1, Cors: { AllowOrigin: ["'https://app.example'"] } }
  NumberMaxAge:
    Type: AWS::Serverless::Api
    Properties: { StageName: v1, Cors: { AllowOrigin: "'*'", MaxAge: 600 } }
  TrueCors:
    Type: AWS::Serverless::Api
    Properties: { StageName: v1, Cors: true }
  FalseCors:
    Type: AWS::Serverless::Api
    Properties: { StageName: v1, Cors: false }
  ListCors:
    Type: AWS::Serverless::Api
    Properties: { StageName: v1, Cors: [] }
`;
    const { code, stdout, stderr } = await runCli(["start", "--template", writeStackTemplate(template), "--in-memory", "--port", "0"]);
    expect(code).toBe(1);
    const out = stdout + stderr;
    const required = "Invalid input. Value for AllowedOrigins is required";
    // Each with the template's file:line, as the other refusals.
    expect(out).toMatch(new RegExp(`template\\.yaml:2[0-9]+ Resources\\.NullOrigin\\.Properties\\.Cors\\.AllowOrigin: ${required}`));
    expect(out).toContain(`Resources.NullWithCredentials.Properties.Cors.AllowOrigin: ${required}`);
    expect(out).not.toMatch(/NullWithCredentials.*'AllowCredentials' can not be true/);
    expect(out).toContain(`Resources.FalseOrigin.Properties.Cors.AllowOrigin: ${required}`);
    expect(out).toContain("Resources.ListOrigin.Properties.Cors.AllowOrigin: expected a string");
    expect(out).toContain("Resources.NumberMaxAge.Properties.Cors.MaxAge: Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: 600]");
    for (const id of ["TrueCors", "FalseCors", "ListCors"]) expect(out).toContain(`Resources.${id}.Properties.Cors: Type of property 'Cors' is invalid.`);

    // Globals: Api: Cors reaches the implicit API, refused there as on a declared one.
    const globals = `Transform: AWS::Serverless-2016-10-31
Globals:
  Api:
    Cors:
      AllowOrigin:
Resources:
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs24.x
      Handler: index.handler
      InlineCode: ${JSON.stringify(ECHO)}
      Events:
        A: { Type: Api, Properties: { Path: /a, Method: get } }
`;
    const implicit = await runCli(["start", "--template", writeStackTemplate(globals), "--in-memory", "--port", "0"]);
    expect(implicit.code).toBe(1);
    expect(implicit.stdout + implicit.stderr).toContain(`Resources.ServerlessRestApi.Properties.Cors.AllowOrigin: ${required}`);
  });

  it("leaves out the headers whose values are null or empty, as SAM does; a null AllowOrigin on an API whose paths all have their own OPTIONS is no error", { timeout: 60_000 }, async () => {
    const template = `Transform: AWS::Serverless-2016-10-31
Resources:
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs24.x
      Handler: index.handler
      InlineCode: ${JSON.stringify(ECHO)}
      Events:
        Get: { Type: Api, Properties: { RestApiId: !Ref Lax, Path: /items, Method: get } }
  Lax:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      Cors: { AllowMethods: null, AllowHeaders: "", MaxAge: null, AllowCredentials: null }
  Own:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      Cors: { AllowOrigin: null }
      DefinitionBody:
        openapi: "3.0.1"
        info: { title: own, version: "1" }
        paths:
          /health:
            options:
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: { application/json: '{"statusCode": 200}' }
                responses: { default: { statusCode: "204" } }
`;
    const sim = await startLambdaSim(["--template", writeStackTemplate(template), "--in-memory"]);
    try {
      const lax = /Lax \(REST API, stage v1\): (\S+)/.exec(sim.output())![1]!;
      const own = /Own \(REST API, stage v1\): (\S+)/.exec(sim.output())![1]!;
      // AllowOrigin not given: '*'; AllowMethods null: the path's methods; the null or empty others: no header.
      const items = await preflight(new URL("items", lax));
      expect([items.status, cors(items)]).toEqual([200, { "access-control-allow-origin": "*", "access-control-allow-methods": "GET,OPTIONS" }]);
      expect(sim.output()).not.toMatch(/response parameter/);
      const health = await preflight(new URL("health", own));
      expect([health.status, cors(health)]).toEqual([204, {}]);
    } finally {
      await sim.kill();
    }
  });

  it.skipIf(chromiumSkip !== undefined)(`lets a page of another origin PUT JSON with a custom header from a real browser, and not with a header Cors does not allow${chromiumSkip ? ` (${chromiumSkip})` : ""}`, { timeout: 90_000 }, async () => {
    // The app's page, served from another origin than the API (another port).
    const app = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>notes</title>"));
    await new Promise<void>((r) => app.listen(0, "127.0.0.1", r));
    const origin = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    const template = `Transform: AWS::Serverless-2016-10-31
Globals:
  Api:
    Cors: { AllowOrigin: "'${origin}'", AllowHeaders: "'Content-Type,X-Api-Key'" }
Resources:
  Notes:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs24.x
      Handler: index.handler
      InlineCode: ${JSON.stringify(NOTES)}
      Events:
        Put: { Type: Api, Properties: { Path: /notes, Method: put } }
`;
    const sim = await startLambdaSim(["--template", writeStackTemplate(template), "--in-memory"]);
    try {
      const base = /ServerlessRestApi \(REST API, stage Prod\): (\S+)/.exec(sim.output())![1]!;
      const errors: string[] = [];
      const page = await openPage(`${origin}/`, errors);
      // A PUT with JSON and X-Api-Key is not a simple request: the browser sends the preflight first.
      const put = (header: string) =>
        page.evaluate(
          async ([url, name]) => {
            try {
              const r = await fetch(url!, { method: "PUT", headers: { "content-type": "application/json", [name!]: "k" }, body: JSON.stringify({ text: "hi" }) });
              return { status: r.status, body: await r.json() };
            } catch (e) {
              return { failed: String(e) };
            }
          },
          [new URL("notes", base).href, header],
        );
      expect(await put("x-api-key")).toEqual({ status: 200, body: { method: "PUT", saved: { text: "hi" } } });
      // A header the preflight's Access-Control-Allow-Headers does not name: the browser never sends the PUT.
      expect(await put("x-other")).toEqual({ failed: "TypeError: Failed to fetch" });
      expect(errors).toEqual([]);
    } finally {
      await sim.kill();
      app.close();
    }
  });
});
