import { describe, expect, it } from "vitest";
import { metadataOnlyAnswer, restPrelude } from "./rest-stream-prelude.ts";

const read = (v: unknown) => restPrelude(Buffer.from(typeof v === "string" ? v : JSON.stringify(v)));
const NUL8 = Buffer.alloc(8);

describe("a REST STREAM integration's metadata (response-transfer-mode-lambda.html)", () => {
  it("takes statusCode (200 unless given), single-value headers, multiValueHeaders (a name in both keeps the list) and cookies", () => {
    expect(read({})).toEqual({ statusCode: 200, headers: {}, cookies: [] });
    expect(read({ statusCode: 201, headers: { "X-Foo": "bar", "X-Both": "one" }, multiValueHeaders: { "x-both": ["a", "b"], "Set-Cookie": ["c1=blue"] }, cookies: ["c2=red"] })).toEqual({
      statusCode: 201,
      headers: { "x-foo": "bar", "x-both": ["a", "b"], "set-cookie": ["c1=blue"] },
      cookies: ["c2=red"],
    });
  });

  it("refuses metadata that is not valid JSON, has another key, a list in headers or a status HTTP cannot send", () => {
    expect(read("{statusCode: 200}")).toEqual({ malformed: "the streamed metadata is not valid JSON" });
    expect(read({ statusCode: 200, body: "x" })).toEqual({ malformed: 'unexpected metadata field "body" (allowed: statusCode, headers, multiValueHeaders, cookies)' });
    expect(read({ headers: { "x-mv": ["a", "b"] } })).toMatchObject({ malformed: expect.stringContaining("multi-value headers go in multiValueHeaders") });
    expect(read({ statusCode: 101 })).toMatchObject({ malformed: expect.stringContaining("statusCode is not an HTTP status") });
    expect(read({ headers: { "x-bad": "a\r\nb" } })).toMatchObject({ malformed: expect.stringContaining("x-bad") });
  });
});

describe("a streaming handler's answer on a BUFFERED route", () => {
  it("is its metadata's status and headers without the body", () => {
    const payload = Buffer.concat([Buffer.from('{"statusCode":202,"headers":{"content-type":"text/plain","content-length":"5"}}'), NUL8, Buffer.from("hello")]);
    expect(metadataOnlyAnswer(payload)).toEqual({ statusCode: 202, headers: { "content-type": "text/plain" }, cookies: [], body: Buffer.alloc(0) });
  });

  it("leaves a buffered handler's JSON to the proxy integration (JSON never holds raw NUL bytes)", () => {
    expect(metadataOnlyAnswer(Buffer.from(JSON.stringify({ statusCode: 200, body: "\u0000".repeat(8) })))).toBeUndefined();
  });
});
