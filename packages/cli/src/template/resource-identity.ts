import { createHash } from "node:crypto";
import { SystemClock } from "@lambda-sim/core";

/** What `!Ref X` and `!GetAtt X.Attr` return for one resource, as CloudFormation returns them. */
export interface ResourceIdentity {
  /** The physical name (a function's, a queue's...). */
  name: string;
  ref: string;
  attributes: Record<string, string>;
}

export interface StackInfo {
  region: string;
  accountId: string;
  stackName: string;
  /** The simulator's endpoint: queue URLs are built on it, so SDK calls with them reach it. */
  endpoint: string;
  /**
   * When the stack's resources are made (epoch ms; default: now, on the wall clock): the dates
   * CloudFormation's attributes give (a schedule group's CreationDate), which it reads from the
   * resource once made, while here the template is resolved before the simulator starts.
   */
  now?: number;
  /** The template's folder: where the local files it names (AWS::Include, DefinitionUri) are read from (default: the working directory). */
  baseDir?: string;
}

/** The property that names a resource of each type, and the longest name its service accepts. */
const NAME_PROPERTY: Record<string, { property: string; max: number }> = {
  "AWS::Serverless::Function": { property: "FunctionName", max: 64 },
  "AWS::Lambda::Function": { property: "FunctionName", max: 64 },
  "AWS::SQS::Queue": { property: "QueueName", max: 80 },
  "AWS::Kinesis::Stream": { property: "Name", max: 128 },
  "AWS::Events::Rule": { property: "Name", max: 64 },
  "AWS::Events::EventBus": { property: "Name", max: 256 },
  "AWS::Scheduler::Schedule": { property: "Name", max: 64 },
  "AWS::Scheduler::ScheduleGroup": { property: "Name", max: 64 },
  "AWS::SNS::Topic": { property: "TopicName", max: 256 },
  "AWS::IAM::Role": { property: "RoleName", max: 64 },
  "AWS::DynamoDB::Table": { property: "TableName", max: 255 },
  "AWS::Serverless::SimpleTable": { property: "TableName", max: 255 },
  "AWS::S3::Bucket": { property: "BucketName", max: 63 },
  "AWS::Lambda::Alias": { property: "Name", max: 128 },
  "AWS::Serverless::LayerVersion": { property: "LayerName", max: 140 },
  "AWS::Lambda::LayerVersion": { property: "LayerName", max: 140 },
};

export function nameProperty(type: string): string | undefined {
  return NAME_PROPERTY[type]?.property;
}

/**
 * CloudFormation's generated physical name: `<stack>-<LogicalId>-<12 random characters>`, the
 * first two parts shortened to fit the service's limit. AWS draws the suffix at random when the
 * stack is created; here it is a hash of stack and logical id, so a restart keeps the same name
 * (and the state stored under it).
 */
export function generatedName(stackName: string, logicalId: string, max: number, suffix = ""): string {
  const hash = createHash("sha256").update(`${stackName}/${logicalId}`).digest();
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  let random = "";
  for (let i = 0; i < 12; i++) random += alphabet[hash[i]! % alphabet.length];
  const room = max - random.length - suffix.length - 2;
  const stack = stackName.slice(0, Math.max(1, Math.floor(room / 2)));
  const id = logicalId.slice(0, room - stack.length);
  return `${stack}-${id}-${random}${suffix}`;
}

/** A stable UUID-shaped id (mapping UUIDs, StackId), from a hash for the same reason. */
export function stableUuid(seed: string): string {
  const h = createHash("sha256").update(seed).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Ref and the attributes of one resource, as CloudFormation documents them per type: a function's
 * Ref is its name, a queue's is its URL, a stream's its name, a topic's its ARN. `named` is the
 * resolved name property, if the template gave one.
 */
export function identityOf(type: string, logicalId: string, named: unknown, props: Record<string, unknown>, stack: StackInfo): ResourceIdentity {
  const { region: r, accountId: a } = stack;
  const spec = NAME_PROPERTY[type];
  const fifo = (type === "AWS::SQS::Queue" && (props.FifoQueue === true || props.FifoQueue === "true")) || (type === "AWS::SNS::Topic" && (props.FifoTopic === true || props.FifoTopic === "true"));
  let name = typeof named === "string" && named !== "" ? named : spec === undefined ? generatedName(stack.stackName, logicalId, 128) : generatedName(stack.stackName, logicalId, spec.max, fifo ? ".fifo" : "");
  if (type === "AWS::S3::Bucket" && named === undefined) name = name.toLowerCase();
  switch (type) {
    case "AWS::Serverless::Function":
    case "AWS::Lambda::Function": {
      const arn = `arn:aws:lambda:${r}:${a}:function:${name}`;
      return { name, ref: name, attributes: { Arn: arn } };
    }
    case "AWS::SQS::Queue": {
      const url = `${stack.endpoint}/${a}/${name}`;
      return { name, ref: url, attributes: { Arn: `arn:aws:sqs:${r}:${a}:${name}`, QueueName: name, QueueUrl: url } };
    }
    case "AWS::Kinesis::Stream":
      return { name, ref: name, attributes: { Arn: `arn:aws:kinesis:${r}:${a}:stream/${name}` } };
    case "AWS::Events::Rule": {
      // A rule of a custom bus has the bus in its ARN.
      const bus = typeof props.EventBusName === "string" && props.EventBusName !== "default" ? `${props.EventBusName.replace(/^arn:.*\//, "")}/` : "";
      return { name, ref: name, attributes: { Arn: `arn:aws:events:${r}:${a}:rule/${bus}${name}` } };
    }
    case "AWS::Events::EventBus":
      return { name, ref: name, attributes: { Arn: `arn:aws:events:${r}:${a}:event-bus/${name}`, Name: name } };
    case "AWS::Scheduler::Schedule":
      return { name, ref: name, attributes: { Arn: `arn:aws:scheduler:${r}:${a}:schedule/${typeof props.GroupName === "string" ? props.GroupName : "default"}/${name}` } };
    case "AWS::Scheduler::ScheduleGroup": {
      // CloudFormation documents CreationDate and LastModificationDate too (review19 R19-9). Their
      // text form is unrecorded: ISO 8601 (our choice). The time the stack is made: a group kept in
      // a --state directory keeps its first date (GetScheduleGroup), which this does not read.
      const date = new Date(stack.now ?? new SystemClock().now()).toISOString();
      return { name, ref: name, attributes: { Arn: `arn:aws:scheduler:${r}:${a}:schedule-group/${name}`, State: "ACTIVE", CreationDate: date, LastModificationDate: date } };
    }
    case "AWS::SNS::Topic": {
      const arn = `arn:aws:sns:${r}:${a}:${name}`;
      return { name, ref: arn, attributes: { TopicArn: arn, TopicName: name } };
    }
    case "AWS::IAM::Role":
      return { name, ref: name, attributes: { Arn: `arn:aws:iam::${a}:role/${name}`, RoleId: `AROA${name.replace(/[^A-Z0-9]/gi, "").slice(0, 17).toUpperCase()}` } };
    case "AWS::DynamoDB::Table":
    case "AWS::Serverless::SimpleTable": {
      const arn = `arn:aws:dynamodb:${r}:${a}:table/${name}`;
      return { name, ref: name, attributes: { Arn: arn, StreamArn: `${arn}/stream/1970-01-01T00:00:00.000` } };
    }
    case "AWS::S3::Bucket":
      return { name, ref: name, attributes: { Arn: `arn:aws:s3:::${name}`, DomainName: `${name}.s3.amazonaws.com`, RegionalDomainName: `${name}.s3.${r}.amazonaws.com` } };
    case "AWS::Lambda::EventSourceMapping": {
      const uuid = stableUuid(`${stack.stackName}/${logicalId}`);
      return { name: uuid, ref: uuid, attributes: { Id: uuid, EventSourceMappingArn: `arn:aws:lambda:${r}:${a}:event-source-mapping:${uuid}` } };
    }
    case "AWS::Serverless::LayerVersion":
    case "AWS::Lambda::LayerVersion": {
      // CloudFormation's Ref is the layer version ARN; its number is only known once published at
      // start, so the layer ARN stands in, and a function referring to it gets the latest version.
      const arn = `arn:aws:lambda:${r}:${a}:layer:${name}`;
      return { name, ref: arn, attributes: { LayerVersionArn: arn } };
    }
    case "AWS::Lambda::Version":
      // The version a first publish gets; later ones are numbered on from it.
      return { name: "1", ref: `${functionArn(props.FunctionName, r, a)}:1`, attributes: { Version: "1", FunctionArn: functionArn(props.FunctionName, r, a) } };
    case "AWS::Lambda::Alias": {
      const arn = `${functionArn(props.FunctionName, r, a)}:${String(named)}`;
      return { name: String(named), ref: arn, attributes: { AliasArn: arn } };
    }
    case "AWS::Serverless::Api":
    case "AWS::Serverless::HttpApi":
    case "AWS::ApiGateway::RestApi":
    case "AWS::ApiGatewayV2::Api": {
      const id = stableUuid(`${stack.stackName}/${logicalId}`).replace(/-/g, "").slice(0, 10);
      return { name: id, ref: id, attributes: { RootResourceId: id.slice(0, 6), ApiEndpoint: `https://${id}.execute-api.${r}.amazonaws.com` } };
    }
    default:
      return { name, ref: name, attributes: {} };
  }
}

function functionArn(fn: unknown, region: string, accountId: string): string {
  const s = String(fn);
  return s.startsWith("arn:") ? s : `arn:aws:lambda:${region}:${accountId}:function:${s}`;
}
