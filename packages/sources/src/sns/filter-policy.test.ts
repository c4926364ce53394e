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
    expect(() => compileFilterPolicy('{"a":{"b":["c"]}}')).toThrow("Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy");
    expect(compileFilterPolicy('{"a":{"b":["c"]}}', "MessageBody")).toBeDefined();
  });

  it("refuses wildcard, not an SNS operator, as AWS does", () => {
    expect(() => compileFilterPolicy('{"store":[{"wildcard":"example_*"}]}')).toThrow("Invalid parameter: FilterPolicy: Unrecognized match type wildcard");
    expect(() => compileFilterPolicy('{"order":{"store":[{"wildcard":"example_*"}]}}', "MessageBody")).toThrow(/Unrecognized match type wildcard$/);
  });

  // SNS "Filter policy constraints": five keys, 150 combinations, 256 KB.
  it("refuses a policy over SNS's limits on keys, combinations and size", () => {
    const keys = (n: number) => JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, ["v"]])));
    expect(compileFilterPolicy(keys(5))).toBeDefined();
    expect(() => compileFilterPolicy(keys(6))).toThrow("Invalid parameter: FilterPolicy: Filter policy can not have more than 5 keys");
    // $or is a key of its own.
    expect(() => compileFilterPolicy(JSON.stringify({ ...JSON.parse(keys(5)), $or: [{ a: ["1"] }, { b: ["2"] }] }))).toThrow("can not have more than 5 keys");

    const values = (n: number) => Array.from({ length: n }, (_, i) => `v${i}`);
    // 150 values in one array, or 10 × 15 over two: at the limit; one more value is over it.
    expect(compileFilterPolicy(JSON.stringify({ a: values(150) }))).toBeDefined();
    expect(compileFilterPolicy(JSON.stringify({ a: values(10), b: values(15) }))).toBeDefined();
    expect(() => compileFilterPolicy(JSON.stringify({ a: values(151) }))).toThrow("Invalid parameter: FilterPolicy: Filter policy is too complex");
    expect(() => compileFilterPolicy(JSON.stringify({ a: values(10), b: values(16) }))).toThrow("Filter policy is too complex");
    // The guide's nested example: four values three levels deep, three values two deep: 3 × 4 × 2 × 3 = 72.
    const nested = { key_a: { key_b: { key_c: values(4) } }, key_d: { key_e: values(3) } };
    expect(compileFilterPolicy(JSON.stringify(nested), "MessageBody")).toBeDefined();
    // Doubled to 144, then 3 × 4 × 2 × 7 = 168 is over.
    expect(compileFilterPolicy(JSON.stringify({ ...nested, key_f: values(2) }), "MessageBody")).toBeDefined();
    expect(() => compileFilterPolicy(JSON.stringify({ ...nested, key_d: { key_e: values(7) } }), "MessageBody")).toThrow("Filter policy is too complex");
    // $or adds up its branches: 100 + 100 is over, 75 + 75 is not.
    expect(() => compileFilterPolicy(JSON.stringify({ $or: [{ a: values(100) }, { b: values(100) }] }))).toThrow("Filter policy is too complex");
    expect(compileFilterPolicy(JSON.stringify({ $or: [{ a: values(75) }, { b: values(75) }] }))).toBeDefined();

    const big = JSON.stringify({ a: ["x".repeat(256 * 1024)] });
    expect(() => compileFilterPolicy(big)).toThrow("Invalid parameter: FilterPolicy: Filter policy is too long");
  });

  it("routes by a policy a subscription already holds without the checks made when it was set: one stored before they existed keeps working (review40)", () => {
    const values = (n: number) => Array.from({ length: n }, (_, i) => `v${i}`);
    const stored = compileFilterPolicy('{"store":[{"wildcard":"example_*"}],"a":' + JSON.stringify(values(200)) + "}", "MessageAttributes", true)!;
    const m = (store: string, a: string) => ({ MessageId: "1", TopicArn: "t", Message: "{}", PublishedAt: 0, MessageAttributes: { store: { DataType: "String", StringValue: store }, a: { DataType: "String", StringValue: a } } });
    expect(stored(m("example_1", "v199"))).toBe(true);
    expect(stored(m("other", "v199"))).toBe(false);
  });
});

