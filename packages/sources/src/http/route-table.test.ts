import { describe, expect, it } from "vitest";
import { RouteTable } from "./route-table.ts";

function table(keys: string[]): RouteTable<string> {
  const t = new RouteTable<string>();
  for (const k of keys) t.add(k, k);
  return t;
}

describe("RouteTable", () => {
  const t = table(["GET /pets", "GET /pets/{id}", "GET /pets/dog", "ANY /pets/{id}", "ANY /{proxy+}", "GET /pets/{id}/toys/{toy}", "POST /pets/{id}/{rest+}", "GET /", "$default"]);
  // One row per rule: [method, path, expected route key, expected parameters].
  const rows: [string, string, string | undefined, Record<string, string>][] = [
    ["GET", "/pets", "GET /pets", {}],
    ["GET", "/pets/", "GET /pets", {}],
    ["GET", "/pets/dog", "GET /pets/dog", {}],
    ["GET", "/pets/cat", "GET /pets/{id}", { id: "cat" }],
    ["PUT", "/pets/cat", "ANY /pets/{id}", { id: "cat" }],
    ["GET", "/pets/cat/toys/ball", "GET /pets/{id}/toys/{toy}", { id: "cat", toy: "ball" }],
    ["POST", "/pets/cat/a/b", "POST /pets/{id}/{rest+}", { id: "cat", rest: "a/b" }],
    ["GET", "/pets/cat/a/b", "ANY /{proxy+}", { proxy: "pets/cat/a/b" }],
    ["GET", "/", "GET /", {}],
    ["POST", "/", "$default", {}],
    ["GET", "/a%2Fb", "ANY /{proxy+}", { proxy: "a/b" }],
    ["GET", "/pets/caf%C3%A9", "GET /pets/{id}", { id: "café" }],
  ];
  for (const [method, path, key, params] of rows) {
    it(`${method} ${path} → ${key}`, () => {
      const m = t.match(method, path);
      expect([m?.routeKey, m?.pathParameters]).toEqual([key, params]);
    });
  }

  it("finds nothing without $default, and a greedy variable needs at least one segment", () => {
    const rest = table(["ANY /{proxy+}", "GET /a/{b}"]);
    expect(rest.match("GET", "/")).toBeUndefined();
    expect(rest.match("GET", "/a")?.routeKey).toBe("ANY /{proxy+}");
    expect(rest.match("GET", "/a/")?.routeKey).toBe("ANY /{proxy+}");
  });
});
