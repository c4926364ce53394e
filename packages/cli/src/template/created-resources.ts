import type { TemplateStack } from "./template-stack.ts";

/**
 * What lambda-sim created for one logical id, as `GET /_sim/template` lists it under `resources`:
 * the CloudFormation type (SAM's generated resources get the type SAM gives them) and what
 * identifies it. What only the running simulator knows (an API's address, a Function URL, a
 * layer's version, an alias's version) is added when the route answers (start-config.ts).
 */
export interface CreatedResource {
  type: string;
  /** The physical name (a function's, a queue's, a rule's...), or an API's id. */
  name?: string;
  arn?: string;
  /** A queue's URL; an API's or Function URL's base address once the simulator runs. */
  url?: string;
  /** The function a Function URL, alias, subscription or mapping belongs to or calls. */
  functionName?: string;
  /** The alias a Function URL is on, an AutoPublishAlias. */
  qualifier?: string;
  /** A subscription's topic, protocol and endpoint; a mapping's source. */
  topicArn?: string;
  protocol?: string;
  endpoint?: string;
  eventSourceArn?: string;
}

/**
 * A declared resource lambda-sim created, from its identity (what `!Ref` and `!GetAtt` give): the
 * name, the ARN, a queue's URL. Subscriptions and mappings have no name of their own here: their
 * properties say what they join.
 */
export function declaredResource(stack: TemplateStack, id: string, type: string, props: Record<string, unknown>): CreatedResource {
  const identity = stack.identity(id, ["Resources", id]);
  const a = identity.attributes;
  switch (type) {
    case "AWS::SNS::Subscription":
      return { type, topicArn: str(props.TopicArn), protocol: str(props.Protocol), endpoint: str(props.Endpoint) };
    case "AWS::Lambda::EventSourceMapping":
      return { type, functionName: str(props.FunctionName), eventSourceArn: str(props.EventSourceArn) };
    case "AWS::Lambda::EventInvokeConfig":
      return { type, functionName: str(props.FunctionName), qualifier: str(props.Qualifier) };
    case "AWS::Serverless::Api":
    case "AWS::Serverless::HttpApi":
    case "AWS::ApiGateway::RestApi":
      return { type, name: identity.name };
    case "AWS::SQS::Queue":
      return { type, name: identity.name, arn: a.Arn, url: a.QueueUrl };
    case "AWS::Lambda::Alias":
      return { type, name: identity.name, arn: a.AliasArn, functionName: str(props.FunctionName) };
    case "AWS::Lambda::Version":
      return { type, name: identity.name, arn: identity.ref, functionName: str(props.FunctionName) };
    case "AWS::Serverless::LayerVersion":
    case "AWS::Lambda::LayerVersion":
      return { type, name: identity.name, arn: a.LayerVersionArn };
    default:
      return { type, name: identity.name, arn: a.Arn ?? a.TopicArn ?? (identity.ref.startsWith("arn:") ? identity.ref : undefined) };
  }
}

function str(v: unknown): string | undefined {
  return v === undefined ? undefined : String(v);
}
