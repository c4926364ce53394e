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

  it("fills a JSON template: strings inside quotes escaped, other values as JSON", () => {
    const paths = { instance: "$.detail.instance-id", state: "$.detail.state", tags: "$.detail.tags" };
    expect(JSON.parse(transform('{"instance": <instance>, "state": "<state>", "tags": <tags>}', { ...paths, instance: "$.detail.tags.a" }))).toEqual({ instance: 1, state: "RUNNING", tags: { a: 1 } });
    expect(transform('"<instance> is in state <state>"', paths)).toBe('"i-0123456789 is in state RUNNING"');
    expect(transform("<instance> is in state <state>", paths)).toBe("i-0123456789 is in state RUNNING");
  });

  it("offers the reserved aws.events variables", () => {
    expect(JSON.parse(transform('{"rule": "<aws.events.rule-name>", "arn": "<aws.events.rule-arn>", "at": "<aws.events.event.ingestion-time>", "e": <aws.events.event>}'))).toEqual({
      rule: "r1",
      arn: c.ruleArn,
      at: "2015-11-11T21:29:55.000Z",
      e: event,
    });
  });

  it("reads JSONPaths of names, quoted names and indexes", () => {
    expect(readPath(event, "$")).toBe(event);
    expect(readPath(event, "$['detail-type']")).toBe("EC2 Instance State-change Notification");
    expect(readPath(event, "$.detail.missing.deeper")).toBeUndefined();
    expect(readPath(event, "detail")).toBeUndefined();
  });
});
