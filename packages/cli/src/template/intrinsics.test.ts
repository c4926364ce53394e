import { describe, expect, it } from "vitest";
import { parseTemplate } from "./parse-template.ts";
import { TemplateError } from "./intrinsics.ts";
import { TemplateStack, type TemplateResource } from "./template-stack.ts";

const TEMPLATE = `
Parameters:
  Stage: { Type: String, Default: dev, AllowedValues: [dev, prod] }
  Size: { Type: Number, Default: 5 }
  Zones: { Type: CommaDelimitedList, Default: "a,b,c" }
Mappings:
  Settings:
    dev: { Level: debug, Memory: 256 }
    prod: { Level: info, Memory: 1024 }
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  IsDev: !Not [!Condition IsProd]
  Both: !And [!Condition IsDev, !Equals [!Ref Size, 5]]
  Either: !Or [!Condition IsProd, !Equals ["x", "y"]]
Resources:
  Orders: { Type: AWS::SQS::Queue, Properties: { QueueName: !Sub "\${Stage}-orders" } }
  Events: { Type: AWS::SQS::Queue, Properties: { FifoQueue: true } }
  Fn: { Type: AWS::Serverless::Function, Properties: { AutoPublishAlias: live, FunctionUrlConfig: { AuthType: NONE } } }
  Named: { Type: AWS::Lambda::Function, Properties: { FunctionName: !Join ["-", [!Ref Stage, fn]] } }
  Clicks: { Type: AWS::Kinesis::Stream, Properties: { Name: clicks } }
  Topic: { Type: AWS::SNS::Topic }
  Rule: { Type: AWS::Events::Rule, Properties: { Name: nightly } }
  OnlyProd: { Type: AWS::SQS::Queue, Condition: IsProd }
  SelfNamed: { Type: AWS::SQS::Queue, Properties: { QueueName: !GetAtt SelfNamed.QueueName } }
`;

function stackOf(overrides: Record<string, string> = {}) {
  const template = parseTemplate(TEMPLATE, "t.yaml").value as Record<string, any>;
  const resources: Record<string, TemplateResource> = {};
  for (const [id, r] of Object.entries(template.Resources as Record<string, any>)) resources[id] = { Type: r.Type, Properties: r.Properties ?? {}, Condition: r.Condition };
  return new TemplateStack(template, resources, { region: "eu-west-1", accountId: "123456789012", stackName: "shop", endpoint: "http://127.0.0.1:3001" }, overrides);
}

/** Resolves one value written in YAML (short forms included) against the stack above. */
function resolve(yaml: string, overrides: Record<string, string> = {}): unknown {
  const { value } = parseTemplate(`v: ${yaml}`, "t.yaml");
  return stackOf(overrides).resolver.resolve((value as { v: unknown }).v, ["v"]);
}

describe("intrinsic functions", () => {
  it.each<[string, string, unknown]>([
    ["Ref to a parameter's default", "!Ref Stage", "dev"],
    ["a Number parameter is text once referenced", "!Ref Size", "5"],
    ["a CommaDelimitedList parameter is a list", "!Ref Zones", ["a", "b", "c"]],
    ["AWS::Region", "!Ref AWS::Region", "eu-west-1"],
    ["AWS::AccountId", "!Ref AWS::AccountId", "123456789012"],
    ["AWS::StackName", "!Ref AWS::StackName", "shop"],
    ["AWS::Partition", "!Ref AWS::Partition", "aws"],
    ["AWS::URLSuffix", "!Ref AWS::URLSuffix", "amazonaws.com"],
    ["Ref to a queue is its URL", "!Ref Orders", "http://127.0.0.1:3001/123456789012/dev-orders"],
    ["Ref to a function is its name", "!Ref Named", "dev-fn"],
    ["Ref to a stream is its name", "!Ref Clicks", "clicks"],
    ["Ref to a topic is its ARN", "!Ref Topic", expect.stringMatching(/^arn:aws:sns:eu-west-1:123456789012:shop-Topic-[A-Z0-9]{12}$/)],
    ["Ref to a rule is its name", "!Ref Rule", "nightly"],
    ["a generated function name", "!Ref Fn", expect.stringMatching(/^shop-Fn-[A-Z0-9]{12}$/)],
    ["a generated FIFO queue name ends in .fifo", "!GetAtt Events.QueueName", expect.stringMatching(/^shop-Events-[A-Z0-9]{12}\.fifo$/)],
    ["SAM's Fn.Alias", "!Ref Fn.Alias", expect.stringMatching(/^arn:aws:lambda:eu-west-1:123456789012:function:shop-Fn-[A-Z0-9]{12}:live$/)],
    ["GetAtt Arn of a queue", "!GetAtt Orders.Arn", "arn:aws:sqs:eu-west-1:123456789012:dev-orders"],
    ["GetAtt QueueUrl", "!GetAtt [Orders, QueueUrl]", "http://127.0.0.1:3001/123456789012/dev-orders"],
    ["GetAtt Arn of a stream", "!GetAtt Clicks.Arn", "arn:aws:kinesis:eu-west-1:123456789012:stream/clicks"],
    ["GetAtt Arn of a function", "!GetAtt Named.Arn", "arn:aws:lambda:eu-west-1:123456789012:function:dev-fn"],
    ["GetAtt of SAM's implicit role", "!GetAtt FnRole.Arn", expect.stringMatching(/^arn:aws:iam::123456789012:role\/shop-FnRole-/)],
    ["GetAtt of SAM's implicit function URL", "!GetAtt FnUrl.FunctionUrl", expect.stringMatching(/^http:\/\/[0-9a-f]{32}\.lambda-url\.eu-west-1\.localhost:3001\/$/)],
    ["Sub with parameters and pseudo parameters", '!Sub "${AWS::Region}/${Stage}"', "eu-west-1/dev"],
    ["Sub with Resource.Attribute", '!Sub "q=${Orders.Arn}"', "q=arn:aws:sqs:eu-west-1:123456789012:dev-orders"],
    ["Sub keeps ${!Literal}", '!Sub "${!Stage}-${Stage}"', "${Stage}-dev"],
    ["Sub's list form", '!Sub ["${A}-${Stage}", { A: !Ref Size }]', "5-dev"],
    ["long form Fn::Sub", '{ "Fn::Sub": "${Stage}" }', "dev"],
    ["Join", '!Join [":", [a, !Ref Stage, 3]]', "a:dev:3"],
    ["Join over a list parameter", '!Join ["+", !Ref Zones]', "a+b+c"],
    ["Select", "!Select [1, !Ref Zones]", "b"],
    ["Select with a text index", '!Select ["2", [x, y, z]]', "z"],
    ["Split", '!Split [",", "p,q"]', ["p", "q"]],
    ["Select over Split", '!Select [0, !Split ["-", !Ref Named]]', "dev"],
    ["FindInMap", "!FindInMap [Settings, !Ref Stage, Level]", "debug"],
    ["FindInMap keeps numbers", "!FindInMap [Settings, prod, Memory]", 1024],
    ["If false branch", "!If [IsProd, big, small]", "small"],
    ["If with AWS::NoValue drops the key", "{ a: !If [IsProd, 1, !Ref AWS::NoValue], b: 2 }", { b: 2 }],
    ["AWS::NoValue drops a list entry", "[1, !Ref AWS::NoValue, 3]", [1, 3]],
    ["Equals", "!Equals [!Ref Stage, dev]", true],
    ["Equals compares a number with its text", '!Equals [!Ref Size, 5]', true],
    ["Not", "!Not [!Equals [a, a]]", false],
    ["And over named conditions", "!If [Both, yes, no]", "yes"],
    ["Or", "!If [Either, yes, no]", "no"],
    ["Base64", '!Base64 "hi"', "aGk="],
    ["GetAZs", '!GetAZs ""', ["eu-west-1a", "eu-west-1b", "eu-west-1c"]],
    ["nested maps and lists", "{ a: [!Ref Stage, { b: !Ref AWS::Region }] }", { a: ["dev", { b: "eu-west-1" }] }],
  ])("%s", (_, yaml, expected) => {
    expect(resolve(yaml)).toEqual(expected);
  });

  it("takes --parameter-overrides over defaults, conditions following", () => {
    expect(resolve("!If [IsProd, !FindInMap [Settings, !Ref Stage, Memory], 128]", { Stage: "prod" })).toBe(1024);
    expect(resolve("!Ref Orders", { Stage: "prod" })).toBe("http://127.0.0.1:3001/123456789012/prod-orders");
  });

  it.each<[string, string, RegExp]>([
    ["Ref to nothing", "!Ref Nope", /no parameter, pseudo parameter or resource is named Nope/],
    ["GetAtt of a missing resource", "!GetAtt Nope.Arn", /no resource is named Nope/],
    ["GetAtt of an unknown attribute", "!GetAtt Orders.Colour", /AWS::SQS::Queue has no attribute Colour \(it has Arn, QueueName, QueueUrl\)/],
    ["Sub with an unknown name", '!Sub "${Nope}"', /no parameter, pseudo parameter, resource or variable is named Nope/],
    ["Select out of range", "!Select [5, [a]]", /index 5 is out of range: the list has 1 value/],
    ["FindInMap with a missing key", "!FindInMap [Settings, test, Level]", /mapping Settings has no test.Level/],
    ["If with an unknown condition", "!If [Nope, a, b]", /no condition is named Nope/],
    ["ImportValue", "!ImportValue shared-vpc", /Fn::ImportValue is not supported: lambda-sim runs one template/],
    ["a resource whose condition is false", "!Ref OnlyProd", /OnlyProd is not created: its condition IsProd is false/],
    ["a name built from itself", "!Ref SelfNamed", /circular reference: SelfNamed → SelfNamed/],
    ["Join of a map", '!Join [",", [{ a: 1 }]]', /expected a string/],
  ])("reports %s", (_, yaml, message) => {
    expect(() => resolve(yaml)).toThrow(message);
    try {
      resolve(yaml);
    } catch (e) {
      expect(e).toBeInstanceOf(TemplateError);
      expect((e as TemplateError).path[0]).toBeDefined();
    }
  });

  it("reports a name built from itself at the reference that closes the circle", () => {
    expect(() => resolve("!Ref SelfNamed")).toThrow(expect.objectContaining({ path: ["Resources", "SelfNamed", "Properties", "QueueName", "Fn::GetAtt"] }));
  });

  it("checks parameters against their constraints", () => {
    const stack = stackOf({ Stage: "qa", Size: "big" });
    expect(stack.problems.map((p) => p.message)).toEqual(["parameter Stage: expected one of dev, prod, got 'qa'", "parameter Size: expected a number, got 'big'"]);
  });

  it("reads JSON templates as well", () => {
    const { value } = parseTemplate('{ "Resources": { "Q": { "Type": "AWS::SQS::Queue", "Properties": { "QueueName": { "Fn::Join": ["-", ["a", { "Ref": "AWS::Region" }]] } } } } }', "t.json");
    expect(value).toEqual({ Resources: { Q: { Type: "AWS::SQS::Queue", Properties: { QueueName: { "Fn::Join": ["-", ["a", { Ref: "AWS::Region" }]] } } } } });
  });

  it("refuses a JSON template CloudFormation would not read, such as one with a trailing comma, at its line", () => {
    const { errors } = parseTemplate('{\n  "Resources": {\n    "Q": { "Type": "AWS::SQS::Queue", }\n  }\n}\n', "t.json");
    expect(errors).toEqual([expect.stringMatching(/^t\.json:3 Template format error: JSON not well-formed\. \(/)]);
  });
});
