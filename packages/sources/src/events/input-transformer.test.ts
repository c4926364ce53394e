import { describe, expect, it } from "vitest";
import { readPath, targetInput } from "./input-transformer.ts";

// The user guide's "Transforming target input" examples, on an EC2 state-change event.
const event = {
  version: "0",
  id: "7bf73129-1428-4cd3-a780-95db273d1602",
  "detail-type": "EC2 Instance State-change Notification",
  source: "aws.ec2",
  account: "123456789012",
  time: "2015-11-11T21:29:54Z",
  region: "us-east-1",
  resources: ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
  detail: { "instance-id": "i-0123456789", state: "RUNNING", tags: { a: 1 } },
};
const c = { event, ruleName: "r1", ruleArn: "arn:aws:events:us-east-1:123456789012:rule/r1", ingestedAt: Date.UTC(2015, 10, 11, 21, 29, 55) };
const transform = (InputTemplate: string, InputPathsMap?: Record<string, string>) => targetInput({ Id: "t", Arn: "arn:x", InputTransformer: { InputTemplate, InputPathsMap } }, c);

describe("target input", () => {
  it("sends the whole event, a constant Input, or what InputPath selects", () => {
    expect(JSON.parse(targetInput({ Id: "t", Arn: "arn:x" }, c))).toEqual(event);
    expect(targetInput({ Id: "t", Arn: "arn:x", Input: '{"fixed":true}' }, c)).toBe('{"fixed":true}');
    expect(targetInput({ Id: "t", Arn: "arn:x", InputPath: "$.detail.state" }, c)).toBe('"RUNNING"');
    expect(targetInput({ Id: "t", Arn: "arn:x", InputPath: "$.resources[0]" }, c)).toBe('"arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"');
  });

  // Row by row, the user guide's "Input transform examples" table (eb-transform-target-input).
  const paths = { timestamp: "$.time", instance: "$.detail.instance-id", state: "$.detail.state" };
  it("Simple string and String with escaped quotes: a JSON string template gets the values escaped", () => {
    expect(transform('"instance <instance> is in <state>"', paths)).toBe('"instance i-0123456789 is in RUNNING"');
    expect(transform('"instance \\"<instance>\\" is in <state>"', paths)).toBe('"instance \\"i-0123456789\\" is in RUNNING"');
  });

  it("Simple JSON: a string standing as a JSON value is quoted", () => {
    const out = transform('{\n  "instance" : <instance>,\n  "state": <state>\n}', paths);
    expect(out).toBe('{\n  "instance" : "i-0123456789",\n  "state": "RUNNING"\n}');
  });

  it("JSON with strings and variables: quoted when bare, escaped without quotes inside a string", () => {
    const out = transform('{"instance" : <instance>, "state": "<state>", "instanceStatus": "instance \\"<instance>\\" is in <state>"}', paths);
    expect(JSON.parse(out)).toEqual({ instance: "i-0123456789", state: "RUNNING", instanceStatus: 'instance "i-0123456789" is in RUNNING' });
  });

  it("JSON with a mix of variables and static information: strings in arrays are quoted too", () => {
    expect(JSON.parse(transform('{"instance" : <instance>, "state": [ 9, <state>, true ], "Transformed" : "Yes"}', paths))).toEqual({
      instance: "i-0123456789",
      state: [9, "RUNNING", true],
      Transformed: "Yes",
    });
    expect(JSON.parse(transform("[<instance>, <state>]", paths))).toEqual(["i-0123456789", "RUNNING"]);
    // Plain text that only starts with a bracket stays text.
    expect(transform("[ALERT] <instance> is <state>", paths)).toBe("[ALERT] i-0123456789 is RUNNING");
  });

  it("Including reserved variables in JSON: rule ARN, name and ingestion time quoted, the event as JSON", () => {
    const tpl = '{"instance" : <instance>, "ruleArn" : <aws.events.rule-arn>, "ruleName" : <aws.events.rule-name>, "at": <aws.events.event.ingestion-time>, "originalEvent" : <aws.events.event>, "full": <aws.events.event.json>}';
    const { detail: _, ...withoutDetail } = event;
    expect(JSON.parse(transform(tpl, paths))).toEqual({ instance: "i-0123456789", ruleArn: c.ruleArn, ruleName: "r1", at: "2015-11-11T21:29:55.000Z", originalEvent: withoutDetail, full: event });
  });

  it("Including reserved variables in a string, and a plain-text template gets raw values", () => {
    expect(transform('"<aws.events.rule-name> triggered"')).toBe('"r1 triggered"');
    expect(transform("<instance> is in state <state>", paths)).toBe("i-0123456789 is in state RUNNING");
    expect(transform("rule <aws.events.rule-name> at <aws.events.event.ingestion-time>")).toBe("rule r1 at 2015-11-11T21:29:55.000Z");
  });

  it("objects, arrays, numbers and missing paths: JSON values, null outside quotes, nothing inside", () => {
    const more = { tags: "$.detail.tags", n: "$.detail.tags.a", res: "$.resources", gone: "$.detail.missing" };
    expect(JSON.parse(transform('{"tags": <tags>, "n": <n>, "res": <res>, "gone": <gone>, "said": "<gone>"}', more))).toEqual({
      tags: { a: 1 },
      n: 1,
      res: event.resources,
      gone: null,
      said: "",
    });
  });

  it("escapes quotes and backslashes of a string value, quoted or not", () => {
    const odd = { ...c, event: { ...event, detail: { note: 'say "hi" \\ bye' } } };
    const out = targetInput({ Id: "t", Arn: "arn:x", InputTransformer: { InputPathsMap: { note: "$.detail.note" }, InputTemplate: '{"a": <note>, "b": "note: <note>"}' } }, odd);
    expect(JSON.parse(out)).toEqual({ a: 'say "hi" \\ bye', b: 'note: say "hi" \\ bye' });
  });

  it("reads JSONPaths of names, quoted names and indexes", () => {
    expect(readPath(event, "$")).toBe(event);
    expect(readPath(event, "$['detail-type']")).toBe("EC2 Instance State-change Notification");
    expect(readPath(event, "$.detail.missing.deeper")).toBeUndefined();
    expect(readPath(event, "detail")).toBeUndefined();
  });
});
