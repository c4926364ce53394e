import { describe, expect, it } from "vitest";
import { evaluatePolicy, executeApiArn, wildcard } from "./iam-policy.ts";

const ARN = executeApiArn("us-east-1", "123456789012", "abc123", "prod", "GET", "/pets/7");
const policy = (...statements: unknown[]) => ({ Version: "2012-10-17", Statement: statements });

describe("evaluatePolicy", () => {
  it("builds the method ARN as API Gateway does", () => {
    expect(ARN).toBe("arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets/7");
  });

  const rows: [string, unknown, string | undefined][] = [
    ["exact allow", policy({ Action: "execute-api:Invoke", Effect: "Allow", Resource: ARN }), "allow"],
    ["wildcard allow", policy({ Action: "execute-api:*", Effect: "Allow", Resource: "arn:aws:execute-api:us-east-1:123456789012:abc123/*/GET/*" }), "allow"],
    ["single statement object", { Version: "2012-10-17", Statement: { Action: ["execute-api:Invoke"], Effect: "Allow", Resource: ["*"] } }, "allow"],
    ["other resource", policy({ Action: "execute-api:Invoke", Effect: "Allow", Resource: ARN.replace("GET", "POST") }), "deny"],
    ["other action", policy({ Action: "s3:GetObject", Effect: "Allow", Resource: "*" }), "deny"],
    ["deny beats allow", policy({ Action: "execute-api:Invoke", Effect: "Allow", Resource: "*" }, { Action: "execute-api:Invoke", Effect: "Deny", Resource: ARN }), "explicit-deny"],
    ["no statements", policy(), "deny"],
    ["not a policy", "nope", undefined],
    ["bad effect", policy({ Action: "execute-api:Invoke", Effect: "Maybe", Resource: "*" }), undefined],
  ];
  for (const [name, doc, verdict] of rows) it(name, () => expect(evaluatePolicy(doc, ARN)).toBe(verdict));

  it("matches IAM wildcards", () => {
    expect(wildcard("a*c", "abbbc")).toBe(true);
    expect(wildcard("a?c", "abc")).toBe(true);
    expect(wildcard("a?c", "abbc")).toBe(false);
    expect(wildcard("a.c", "abc")).toBe(false);
  });
});
