import { describe, expect, it } from "vitest";
import { compilePattern, validatePattern } from "./event-pattern.ts";
import { InvalidEventPatternError } from "./invalid-event-pattern.ts";
import { parseJsonKeepingNumbers } from "./json-number.ts";

// The examples of the EventBridge user guide ("Event patterns", "Content filtering",
// "Comparison operators", "Arrays in event patterns", "Null values and empty strings"),
// each with an event that matches it and one that does not.
const ec2 = {
  version: "0",
  id: "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "EC2 Instance State-change Notification",
  source: "aws.ec2",
  account: "111122223333",
  time: "2017-12-22T18:43:48Z",
  region: "us-west-1",
  resources: ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
  detail: { "instance-id": "i-1234567890abcdef0", state: "terminated" },
};
const withDetail = (detail: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ ...ec2, ...extra, detail });

const cases: [name: string, pattern: unknown, event: unknown, expected: boolean][] = [
  ["source and detail-type", { source: ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"] }, ec2, true],
  ["detail state among values", { source: ["aws.ec2"], detail: { state: ["running", "terminated"] } }, ec2, true],
  ["detail state, other values", { detail: { state: ["running", "pending"] } }, ec2, false],
  ["matching is case-sensitive", { source: ["AWS.EC2"] }, ec2, false],
  ["a field the event lacks", { detail: { "c-count": ["5"] } }, ec2, false],
  ["resources: intersection of arrays", { resources: ["arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f", "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"] }, { resources: ["arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b", "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"] }, true],
  ["resources: empty intersection", { resources: ["arn:x"] }, { resources: ["arn:y", "arn:z"] }, false],
  ["prefix", { time: [{ prefix: "2017-12-22" }] }, ec2, true],
  ["prefix, no match", { time: [{ prefix: "2017-10-02" }] }, ec2, false],
  ["prefix equals-ignore-case", { detail: { service: [{ prefix: { "equals-ignore-case": "EventB" } }] } }, withDetail({ service: "eventbridge" }), true],
  ["suffix", { FileName: [{ suffix: ".png" }] }, { FileName: "image.png" }, true],
  ["suffix is case-sensitive", { FileName: [{ suffix: ".png" }] }, { FileName: "image.PNG" }, false],
  ["suffix equals-ignore-case", { detail: { FileName: [{ suffix: { "equals-ignore-case": ".png" } }] } }, withDetail({ FileName: "image.PNG" }), true],
  ["equals-ignore-case", { Name: [{ "equals-ignore-case": "alice" }] }, { Name: "ALICE" }, true],
  ["equals-ignore-case, other name", { Name: [{ "equals-ignore-case": "alice" }] }, { Name: "Bob" }, false],
  ["anything-but string", { detail: { state: [{ "anything-but": "initializing" }] } }, ec2, true],
  ["anything-but string, excluded", { detail: { state: [{ "anything-but": "terminated" }] } }, ec2, false],
  ["anything-but number", { detail: { "x-limit": [{ "anything-but": 123 }] } }, withDetail({ "x-limit": 124 }), true],
  ["anything-but number, excluded", { detail: { "x-limit": [{ "anything-but": 123 }] } }, withDetail({ "x-limit": 123 }), false],
  ["anything-but string list", { detail: { state: [{ "anything-but": ["stopped", "overloaded"] }] } }, withDetail({ state: "running" }), true],
  ["anything-but string list, excluded", { detail: { state: [{ "anything-but": ["stopped", "overloaded"] }] } }, withDetail({ state: "stopped" }), false],
  ["anything-but number list", { detail: { "x-limit": [{ "anything-but": [100, 200, 300] }] } }, withDetail({ "x-limit": 301 }), true],
  ["anything-but number list, excluded", { detail: { "x-limit": [{ "anything-but": [100, 200, 300] }] } }, withDetail({ "x-limit": 200 }), false],
  ["anything-but prefix", { detail: { state: [{ "anything-but": { prefix: "init" } }] } }, ec2, true],
  ["anything-but prefix, excluded", { detail: { state: [{ "anything-but": { prefix: "init" } }] } }, withDetail({ state: "initializing" }), false],
  ["anything-but suffix", { FileName: [{ "anything-but": { suffix: ".png" } }] }, { FileName: "a.txt" }, true],
  ["anything-but suffix, excluded", { FileName: [{ "anything-but": { suffix: ".png" } }] }, { FileName: "a.png" }, false],
  ["anything-but equals-ignore-case", { state: [{ "anything-but": { "equals-ignore-case": "initializing" } }] }, { state: "running" }, true],
  ["anything-but equals-ignore-case, excluded", { state: [{ "anything-but": { "equals-ignore-case": "initializing" } }] }, { state: "INITIALIZING" }, false],
  ["anything-but equals-ignore-case list", { state: [{ "anything-but": { "equals-ignore-case": ["a", "b"] } }] }, { state: "B" }, false],
  ["anything-but wildcard", { FilePath: [{ "anything-but": { wildcard: "*/lib/*" } }] }, { FilePath: "/usr/bin/node" }, true],
  ["anything-but wildcard, excluded", { FilePath: [{ "anything-but": { wildcard: "*/lib/*" } }] }, { FilePath: "/usr/lib/node" }, false],
  ["anything-but needs the field", { state: [{ "anything-but": "x" }] }, { other: 1 }, false],
  ["numeric range and bounds", { detail: { "c-count": [{ numeric: [">", 0, "<=", 5] }], "d-count": [{ numeric: ["<", 10] }], "x-limit": [{ numeric: ["=", 3.018e2] }] } }, withDetail({ "c-count": 5, "d-count": 0, "x-limit": 301.8 }), true],
  ["numeric, outside the range", { detail: { "c-count": [{ numeric: [">", 0, "<=", 5] }] } }, withDetail({ "c-count": 6 }), false],
  ["numeric needs a JSON number", { detail: { "c-count": [{ numeric: [">", 0] }] } }, withDetail({ "c-count": "5" }), false],
  ["numeric >= and <", { n: [{ numeric: [">=", 10, "<", 20] }] }, { n: 10 }, true],
  ["exact number compares values in EventBridge", { n: [300] }, { n: 300.0 }, true],
  ["a number is not its string", { n: [300] }, { n: "300" }, false],
  ["cidr IPv4", { detail: { sourceIPAddress: [{ cidr: "10.0.0.0/24" }] } }, withDetail({ sourceIPAddress: "10.0.0.255" }), true],
  ["cidr IPv4, outside", { detail: { sourceIPAddress: [{ cidr: "10.0.0.0/24" }] } }, withDetail({ sourceIPAddress: "10.0.1.0" }), false],
  ["cidr IPv6", { ip: [{ cidr: "2001:db8::/32" }] }, { ip: "2001:db8:0:0:0:0:0:1" }, true],
  ["cidr on a non-address", { ip: [{ cidr: "10.0.0.0/8" }] }, { ip: "ten" }, false],
  ["exists false: field absent", { detail: { "c-count": [{ exists: false }] } }, withDetail({ state: ["initializing", "running"] }), true],
  ["exists false: an object is not a leaf", { detail: { "c-count": [{ exists: false }] } }, withDetail({ "c-count": { c1: 100 } }), true],
  ["exists false: present", { detail: { state: [{ exists: false }] } }, ec2, false],
  ["exists true", { detail: { state: [{ exists: true }] } }, ec2, true],
  ["exists true on an object", { detail: { "c-count": [{ exists: true }] } }, withDetail({ "c-count": { c1: 100 } }), false],
  ["null value", { responseElements: [null] }, { responseElements: null }, true],
  ["null is not a missing field", { responseElements: [null] }, {}, false],
  ["empty string", { LastName: [""] }, { LastName: "" }, true],
  ["empty string is not null", { LastName: [""] }, { LastName: null }, false],
  ["wildcard", { EventBusArn: [{ wildcard: "arn:aws:events:us-east-1:*:event-bus/*" }] }, { EventBusArn: "arn:aws:events:us-east-1:123456789012:event-bus/orders" }, true],
  ["wildcard, no match", { FileName: [{ wildcard: "dir/*.png" }] }, { FileName: "dir/a.jpg" }, false],
  ["wildcard matches across slashes", { FileName: [{ wildcard: "dir/*.png" }] }, { FileName: "dir/sub/a.png" }, true],
  ["wildcard escaped star", { v: [{ wildcard: "a\\*b" }] }, { v: "a*b" }, true],
  ["wildcard escaped star is literal", { v: [{ wildcard: "a\\*b" }] }, { v: "axxb" }, false],
  ["$or of fields", { source: ["aws.cloudwatch"], $or: [{ metricName: ["CPUUtilization", "ReadLatency"] }, { namespace: ["AWS/EC2"] }] }, { source: "aws.cloudwatch", namespace: "AWS/EC2" }, true],
  ["$or, no branch", { source: ["aws.cloudwatch"], $or: [{ metricName: ["CPUUtilization"] }, { namespace: ["AWS/EC2"] }] }, { source: "aws.cloudwatch", namespace: "AWS/ES" }, false],
  ["$or nested in detail", { detail: { $or: [{ "c-count": [{ numeric: [">", 0, "<=", 5] }] }, { "d-count": [{ numeric: ["<", 10] }] }] } }, withDetail({ "d-count": 3 }), true],
  ["$or in a list entry's OR", { "detail-type": ["Scheduled Event", "EC2 Instance State-change Notification"] }, ec2, true],
  ["array of objects: one element holds both", { detail: { items: { sku: ["a1"], qty: [2] } } }, withDetail({ items: [{ sku: "a1", qty: 2 }, { sku: "b2", qty: 0 }] }), true],
  ["array of objects: fields from two elements", { detail: { items: { sku: ["a1"], qty: [0] } } }, withDetail({ items: [{ sku: "a1", qty: 2 }, { sku: "b2", qty: 0 }] }), false],
  ["nested arrays flatten", { tags: ["c"] }, { tags: [["a", "b"], ["c"]] }, true],
  ["several operators on one field", { time: [{ prefix: "2017-10-02" }], detail: { state: [{ "anything-but": "initializing" }], "c-count": [{ numeric: [">", 0, "<=", 5] }], "x-limit": [{ "anything-but": [100, 200, 300] }] } }, { time: "2017-10-02T18:43:48Z", detail: { state: "running", "c-count": 1, "x-limit": 5 } }, true],
];

describe("event patterns: AWS's documented examples", () => {
  it.each(cases)("%s", (_name, pattern, event, expected) => {
    expect(compilePattern(JSON.stringify(pattern))(event)).toBe(expected);
    // The pattern may be given parsed as well.
    expect(compilePattern(pattern as object)(event)).toBe(expected);
  });

  it("compares exact numbers as written when asked (Lambda filtering)", () => {
    const match = compilePattern('{"n":[300]}', { numbers: "as-written" });
    expect(match(parseJsonKeepingNumbers('{"n":300}'))).toBe(true);
    expect(match(parseJsonKeepingNumbers('{"n":300.0}'))).toBe(false);
    expect(compilePattern('{"n":[300]}')(parseJsonKeepingNumbers('{"n":300.0}'))).toBe(true);
  });

  it("refuses operators a dialect does not offer", () => {
    expect(reason('{"ip":[{"cidr":"10.0.0.0/8"}]}', ["cidr"])).toBe("Unrecognized match type cidr");
  });
});

function reason(pattern: string, unsupportedOperators?: string[]): string | undefined {
  try {
    validatePattern(pattern, { unsupportedOperators });
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidEventPatternError);
    expect((e as Error).message).toBe(`Event pattern is not valid. Reason: ${(e as InvalidEventPatternError).reason}`);
    return (e as InvalidEventPatternError).reason;
  }
  return undefined;
}

describe("event pattern validation: event-ruler's reasons", () => {
  it.each([
    ["not JSON", "{source:", "Invalid JSON"],
    ["not an object", '["a"]', "Filter is not an object"],
    ["empty object", "{}", "Empty objects are not allowed"],
    ["a bare value", '{"source":"aws.ec2"}', '"source" must be an object or an array'],
    ["empty list", '{"source":[]}', "Empty arrays are not allowed"],
    ["a list in a list", '{"source":[["a"]]}', "Match value must be String, number, true, false, or null"],
    ["unknown operator", '{"a":[{"contains":"x"}]}', "Unrecognized match type contains"],
    ["empty operator object", '{"a":[{}]}', "Match expression name not found"],
    ["two operators", '{"a":[{"prefix":"x","suffix":"y"}]}', "Only one key allowed in match expression"],
    ["prefix not a string", '{"a":[{"prefix":1}]}', "prefix match pattern must be a string"],
    ["suffix not a string", '{"a":[{"suffix":true}]}', "suffix match pattern must be a string"],
    ["equals-ignore-case not a string", '{"a":[{"equals-ignore-case":1}]}', "equals-ignore-case match pattern must be a string"],
    ["exists not a boolean", '{"a":[{"exists":"yes"}]}', "exists match pattern must be either true or false."],
    ["numeric not a list", '{"a":[{"numeric":">"}]}', "Value of numeric must be an array."],
    ["numeric bad operator", '{"a":[{"numeric":["!=",1]}]}', "Unrecognized numeric range operator: !="],
    ["numeric without a number", '{"a":[{"numeric":[">"]}]}', "Value of > must be numeric"],
    ["numeric two lower bounds", '{"a":[{"numeric":[">",1,">=",2]}]}', "Bad numeric range operator: >="],
    ["numeric upper bound first", '{"a":[{"numeric":["<",5,">",1]}]}', "Too many elements in numeric expression"],
    ["numeric empty range", '{"a":[{"numeric":[">",5,"<",1]}]}', "Bottom must be less than top"],
    ["numeric = string", '{"a":[{"numeric":["=","1"]}]}', "Value of equals must be numeric"],
    ["anything-but mixed list", '{"a":[{"anything-but":["x",1]}]}', "Inside anything but list, either all values are number or string, mixed type is not supported"],
    ["anything-but empty list", '{"a":[{"anything-but":[]}]}', "Inside anything but list, either all values are number or string, mixed type is not supported"],
    ["anything-but null", '{"a":[{"anything-but":[null]}]}', "Inside anything but list, start|null|boolean is not supported."],
    ["anything-but boolean", '{"a":[{"anything-but":true}]}', "Value of anything-but must be an array or single string/number value."],
    ["anything-but unknown operator", '{"a":[{"anything-but":{"numeric":[">",1]}}]}', "Unsupported anything-but pattern: numeric"],
    ["anything-but empty prefix", '{"a":[{"anything-but":{"prefix":""}}]}', "Null prefix/suffix not allowed"],
    ["$or not a list", '{"$or":{"a":["x"]}}', "It must be an Array followed with $or."],
    ["$or of one", '{"$or":[{"a":["x"]}]}', "There must have at least 2 Objects in $or relationship."],
    ["$or of a value", '{"$or":[{"a":["x"]},"b"]}', "Only JSON object is allowed in array of $or relationship."],
    ["operator name as a field in $or", '{"$or":[{"prefix":["x"]},{"b":["y"]}]}', "prefix is Ruler reserved fieldName which cannot be used inside $or."],
    ["consecutive wildcards", '{"a":[{"wildcard":"a**b"}]}', "Consecutive wildcard characters at pos 1"],
    ["bad escape in wildcard", '{"a":[{"wildcard":"a\\\\b"}]}', "Invalid escape character at pos 1"],
    ["cidr without a mask", '{"a":[{"cidr":"10.0.0.0"}]}', "Malformed CIDR, one '/' required"],
    ["cidr with a bad address", '{"a":[{"cidr":"10.0.0/8"}]}', "Invalid IP address: 10.0.0"],
    ["cidr with a bad mask", '{"a":[{"cidr":"10.0.0.0/33"}]}', "Malformed CIDR, mask bits must be an integer"],
  ])("%s", (_name, pattern, expected) => {
    expect(reason(pattern)).toBe(expected);
  });

  it("accepts every operator in one pattern", () => {
    expect(reason(JSON.stringify(cases[cases.length - 1]![1]))).toBeUndefined();
  });
});
