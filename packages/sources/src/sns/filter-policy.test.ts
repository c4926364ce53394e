import { describe, expect, it } from "vitest";
import { compileFilterPolicy } from "./filter-policy.ts";
import type { StoredMessage } from "./sns-store.ts";

const message = (attributes: Record<string, readonly [string, string]>, body = "{}"): StoredMessage => ({
  MessageId: "m",
  TopicArn: "arn:aws:sns:us-east-1:000000000000:t",
  Message: body,
  PublishedAt: 0,
  MessageAttributes: Object.fromEntries(Object.entries(attributes).map(([k, [DataType, StringValue]]) => [k, { DataType, StringValue }])),
});

// Examples from the SNS developer guide ("Amazon SNS message filtering"), attribute scope unless said.
describe("SNS filter policies", () => {
  it.each([
    ['{"store":["example_corp"]}', { store: ["String", "example_corp"] }, true],
    ['{"store":["example_corp"]}', { store: ["String", "other"] }, false],
    ['{"price_usd":[{"numeric":[">=",100,"<",200]}]}', { price_usd: ["Number", "150.5"] }, true],
    ['{"price_usd":[{"numeric":[">=",100,"<",200]}]}', { price_usd: ["Number", "200"] }, false],
    ['{"price_usd":[100]}', { price_usd: ["Number", "1.0e2"] }, true],
    ['{"customer_interests":["rugby"]}', { customer_interests: ["String.Array", '["rugby","football"]'] }, true],
    ['{"event":[{"prefix":"order-"}]}', { event: ["String", "order-cancelled"] }, true],
    ['{"event":[{"anything-but":["order_cancelled"]}]}', { event: ["String", "order_cancelled"] }, false],
    ['{"event":[{"anything-but":{"prefix":"order-"}}]}', { event: ["String", "refund"] }, true],
    ['{"store":[{"exists":false}]}', { other: ["String", "x"] }, true],
    ['{"store":[{"exists":true}]}', { other: ["String", "x"] }, false],
    ['{"source_ip":[{"cidr":"10.0.0.0/24"}]}', { source_ip: ["String", "10.0.0.255"] }, true],
    ['{"name":[{"equals-ignore-case":"JOHN"}]}', { name: ["String", "john"] }, true],
    ['{"$or":[{"a":["1"]},{"b":["2"]}]}', { b: ["String", "2"] }, true],
  ] as const)("%s against %j: %s", (policy, attributes, expected) => {
    expect(compileFilterPolicy(policy)!(message(attributes as Record<string, readonly [string, string]>))).toBe(expected);
  });

  it("matches the JSON body in the MessageBody scope, and a body that is not JSON never", () => {
    const policy = compileFilterPolicy('{"order":{"total":[{"numeric":[">",100]}]}}', "MessageBody")!;
    expect(policy(message({}, '{"order":{"total":250}}'))).toBe(true);
    expect(policy(message({}, '{"order":{"total":50}}'))).toBe(false);
    expect(policy(message({}, "not json"))).toBe(false);
  });

  it("refuses a policy that is not valid with InvalidParameter", () => {
    expect(() => compileFilterPolicy('{"a":"bare"}')).toThrow(/^Invalid parameter: FilterPolicy: /);
    expect(() => compileFilterPolicy("{not json")).toThrow("Invalid parameter: FilterPolicy: failed to parse JSON.");
    expect(() => compileFilterPolicy('{"a":{"b":["c"]}}')).toThrow("Invalid parameter: FilterPolicy: Filter policy scope MessageAttributes does not support nested filter policy");
    expect(compileFilterPolicy('{"a":{"b":["c"]}}', "MessageBody")).toBeDefined();
  });
});
