import { describe, expect, it } from "vitest";
import type { HttpRequest } from "./http-request.ts";
import { isMalformed, payloadV2Answer, payloadV2Event } from "./payload-v2.ts";

const TIME = Date.parse("2020-03-12T19:03:58.390Z");

function request(over: Partial<HttpRequest> = {}): HttpRequest {
  return {
    method: "POST",
    rawPath: "/my/path",
    rawQueryString: "parameter1=value1&parameter1=value2&parameter2=value",
    rawHeaders: ["Header1", "value1", "Header2", "value1", "header2", "value2", "Cookie", "cookie1; cookie2", "User-Agent", "agent", "Content-Type", "text/plain"],
    body: Buffer.from("Hello from Lambda"),
    sourceIp: "192.0.2.1",
    protocol: "HTTP/1.1",
    ...over,
  };
}

const context = {
  accountId: "123456789012",
  apiId: "api-id",
  domainName: "id.execute-api.us-east-1.amazonaws.com",
  domainPrefix: "id",
  requestId: "id",
  stage: "$default",
  routeKey: "$default",
  timeEpoch: TIME,
};

describe("payloadV2Event", () => {
  it("builds AWS's documented 2.0 example field by field", () => {
    const event = payloadV2Event(request(), { ...context, pathParameters: { parameter1: "value1" }, stageVariables: { stageVariable1: "value1", stageVariable2: "value2" } });
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html (2.0 example, less jwt/mTLS)
    expect(event).toEqual({
      version: "2.0",
      routeKey: "$default",
      rawPath: "/my/path",
      rawQueryString: "parameter1=value1&parameter1=value2&parameter2=value",
      cookies: ["cookie1", "cookie2"],
      headers: { header1: "value1", header2: "value1,value2", "user-agent": "agent", "content-type": "text/plain" },
      queryStringParameters: { parameter1: "value1,value2", parameter2: "value" },
      requestContext: {
        accountId: "123456789012",
        apiId: "api-id",
        domainName: "id.execute-api.us-east-1.amazonaws.com",
        domainPrefix: "id",
        http: { method: "POST", path: "/my/path", protocol: "HTTP/1.1", sourceIp: "192.0.2.1", userAgent: "agent" },
        requestId: "id",
        routeKey: "$default",
        stage: "$default",
        time: "12/Mar/2020:19:03:58 +0000",
        timeEpoch: TIME,
      },
      body: "Hello from Lambda",
      pathParameters: { parameter1: "value1" },
      isBase64Encoded: false,
      stageVariables: { stageVariable1: "value1", stageVariable2: "value2" },
    });
  });

  it("omits what the request lacks: cookies, query parameters, body", () => {
    const event = payloadV2Event(request({ method: "GET", rawQueryString: "", rawHeaders: ["Host", "x"], body: Buffer.alloc(0) }), context);
    expect(event).not.toHaveProperty("cookies");
    expect(event).not.toHaveProperty("queryStringParameters");
    expect(event).not.toHaveProperty("body");
    expect(event).not.toHaveProperty("pathParameters");
    expect(event.isBase64Encoded).toBe(false);
    expect(event.headers).toEqual({ host: "x" });
  });

  it("keeps Function URL nulls when asked for them", () => {
    const event = payloadV2Event(request(), { ...context, pathParameters: null, stageVariables: null, authentication: null });
    expect(event.pathParameters).toBeNull();
    expect(event.stageVariables).toBeNull();
    expect(event.requestContext.authentication).toBeNull();
  });

  it("base64-encodes binary bodies and keeps text ones", () => {
    const bytes = Buffer.from([0, 1, 2, 255]);
    const cases: [string | undefined, boolean][] = [
      ["application/octet-stream", true],
      ["image/png", true],
      ["application/x-www-form-urlencoded", true],
      [undefined, true],
      ["text/html; charset=utf-8", false],
      ["application/json", false],
      ["application/vnd.api+json", false],
      ["application/xml", false],
      ["application/javascript", false],
    ];
    for (const [type, binary] of cases) {
      const headers = type === undefined ? [] : ["Content-Type", type];
      const event = payloadV2Event(request({ rawHeaders: headers, body: bytes }), context);
      expect([type, event.isBase64Encoded]).toEqual([type, binary]);
      expect(Buffer.from(event.body!, binary ? "base64" : "utf8").equals(binary ? bytes : Buffer.from(bytes.toString("utf8")))).toBe(true);
    }
  });

  it("decodes query values, keeps the raw string, and appends the front's headers", () => {
    const event = payloadV2Event(request({ rawQueryString: "q=a%20b&empty&x=%E2%9C%93&bad=%zz" }), { ...context, addedHeaders: ["X-Forwarded-For", "192.0.2.1"] });
    expect(event.rawQueryString).toBe("q=a%20b&empty&x=%E2%9C%93&bad=%zz");
    expect(event.queryStringParameters).toEqual({ q: "a b", empty: "", x: "✓", bad: "%zz" });
    expect(event.headers["x-forwarded-for"]).toBe("192.0.2.1");
  });
});

describe("payloadV2Answer", () => {
  const text = (a: ReturnType<typeof payloadV2Answer>) => (isMalformed(a) ? { ...a, body: undefined } : { ...a, body: a.body.toString("utf8") });

  it("infers a 200 JSON answer from a result without statusCode", () => {
    expect(text(payloadV2Answer(JSON.stringify({ message: "Hello, world!" })))).toEqual({ statusCode: 200, headers: { "content-type": "application/json" }, cookies: [], body: '{"message":"Hello, world!"}' });
    expect(text(payloadV2Answer(JSON.stringify("Hello, world!")))?.body).toBe("Hello, world!");
    expect(text(payloadV2Answer("[1,2]"))?.body).toBe("[1,2]");
    expect(text(payloadV2Answer("null"))?.body).toBe("null");
  });

  it("reads a structured answer with cookies and headers", () => {
    const answer = payloadV2Answer(JSON.stringify({ statusCode: 201, headers: { "X-Custom": "a", "X-Num": 5 }, cookies: ["a=1; Path=/", "b=2"], body: "created", isBase64Encoded: false }));
    expect(text(answer)).toEqual({ statusCode: 201, headers: { "x-custom": "a", "x-num": "5" }, cookies: ["a=1; Path=/", "b=2"], body: "created" });
  });

  it("decodes a base64 body", () => {
    const answer = payloadV2Answer(JSON.stringify({ statusCode: 200, body: Buffer.from([1, 2, 3]).toString("base64"), isBase64Encoded: true }));
    expect(isMalformed(answer) ? answer : [...answer.body]).toEqual([1, 2, 3]);
  });

  it("refuses what it cannot read, saying what is wrong", () => {
    const why = (bad: string) => {
      const a = payloadV2Answer(bad);
      return isMalformed(a) ? a.malformed : "read";
    };
    expect(why("not json")).toBe("the response is not JSON");
    expect(why('{"statusCode":"200"}')).toBe('statusCode is not an HTTP status: "200"');
    expect(why('{"statusCode":99}')).toBe("statusCode is not an HTTP status: 99");
    expect(why('{"statusCode":200.5}')).toBe("statusCode is not an HTTP status: 200.5");
    expect(why('{"statusCode":200,"body":{}}')).toBe("body is not a string: {}");
    expect(why('{"statusCode":200,"headers":[1]}')).toBe("headers is not an object of text values: [1]");
    expect(why('{"statusCode":200,"cookies":"a=1"}')).toBe('cookies is not a list of strings: "a=1"');
    expect(why('{"statusCode":200,"headers":{"a":{}}}')).toBe('headers is not an object of text values: {"a":{}}');
  });
});
