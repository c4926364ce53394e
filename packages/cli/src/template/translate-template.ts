import { BuildError } from "../config/esbuild-function.ts";
import { declaredResource } from "./created-resources.ts";
import type { CodePlace } from "./function-code.ts";
import { busName, disabledNote, filterCriteria, groupNote, mapping, ruleTarget, schedulerSchedule, shortArn } from "./function-events.ts";
import { GENERATED } from "./sam-generated-queues.ts";
import { snsSubscription, snsTopic } from "./sns-resources.ts";
import { translateFunction } from "./function-resource.ts";
import { translateLayer } from "./layer-resource.ts";
import { apiResource, finishApis } from "./api-events.ts";
import { finishRestApis, REST_API_TYPES, restApiGatewayResource } from "./rest-api-resources.ts";
import { scheduleKey } from "@lambda-sim/sources";
import { TemplateError } from "./intrinsics.ts";
import type { TemplateAction } from "./template-actions.ts";
import type { TemplateStack } from "./template-stack.ts";
import { bool, checkEventPattern, defined, eventInvokeConfigInput, num, tagMap, Translation } from "./translation.ts";

type Props = Record<string, unknown>;

/** IAM, and the permissions that let services call functions: lambda-sim checks none of them. */
const IAM = /^AWS::IAM::|^AWS::Lambda::Permission$|^AWS::Serverless::Connector$/;

/**
 * Every resource of a template, in template order, as what lambda-sim runs today. Resources lambda-sim
 * does not simulate are listed (one start-up line), never an error; IAM is accepted and ignored.
 */
export async function translateTemplate(stack: TemplateStack, place: CodePlace): Promise<Translation> {
  const t = new Translation();
  t.problems.push(...stack.problems);
  for (const [id, r] of Object.entries(stack.resources)) {
    const base = ["Resources", id, "Properties"];
    try {
      if (!stack.included(id)) {
        t.said(id, `not created: condition ${r.Condition} is false`);
        continue;
      }
      if (IAM.test(r.Type)) {
        t.iam.push(id);
        continue;
      }
      if (!HANDLED.has(r.Type)) {
        t.notSimulated.push(`${id} (${r.Type})`);
        continue;
      }
      const p = stack.resolver.resolve(r.Properties, base) as Props;
      t.created[id] = declaredResource(stack, id, r.Type, p);
      await translateResource(t, stack, id, r.Type, p, place);
    } catch (e) {
      if (e instanceof BuildError) t.buildErrors.push(...e.lines);
      else if (e instanceof TemplateError) t.problems.push(e);
      // A shape no rule above expected: still one line naming the resource, never a crash.
      else t.problems.push(new TemplateError(["Resources", id], `cannot read this ${r.Type}: ${(e as Error).message}`));
    }
  }
  finishRestApis(t, stack);
  finishApis(t);
  return t;
}

const HANDLED = new Set([
  "AWS::Serverless::Function",
  "AWS::Lambda::Function",
  "AWS::SQS::Queue",
  "AWS::Kinesis::Stream",
  "AWS::Lambda::EventSourceMapping",
  "AWS::Lambda::EventInvokeConfig",
  "AWS::Lambda::Version",
  "AWS::Lambda::Alias",
  "AWS::Events::Rule",
  "AWS::Events::EventBus",
  "AWS::Scheduler::Schedule",
  "AWS::Scheduler::ScheduleGroup",
  "AWS::Serverless::LayerVersion",
  "AWS::Lambda::LayerVersion",
  "AWS::SNS::Topic",
  "AWS::SNS::Subscription",
  "AWS::Serverless::Api",
  "AWS::Serverless::HttpApi",
  ...REST_API_TYPES,
]);

async function translateResource(t: Translation, stack: TemplateStack, id: string, type: string, p: Props, place: CodePlace): Promise<void> {
  const base = ["Resources", id, "Properties"];
  switch (type) {
    case "AWS::Serverless::Function":
    case "AWS::Lambda::Function":
      return translateFunction(t, stack, id, type, p, place);
    case "AWS::Serverless::LayerVersion":
    case "AWS::Lambda::LayerVersion":
      return translateLayer(t, stack, id, type, p, place);
    case "AWS::SQS::Queue": {
      const me = stack.identity(id, base);
      const redrive = typeof p.RedrivePolicy === "string" ? jsonProperty(p.RedrivePolicy, [...base, "RedrivePolicy"]) : (p.RedrivePolicy as Props | undefined);
      t.config.queues[me.name] = defined({
        fifoQueue: bool(p.FifoQueue),
        contentBasedDeduplication: bool(p.ContentBasedDeduplication),
        visibilityTimeout: num(p.VisibilityTimeout),
        messageRetentionPeriod: num(p.MessageRetentionPeriod),
        delaySeconds: num(p.DelaySeconds),
        maximumMessageSize: num(p.MaximumMessageSize),
        receiveMessageWaitTimeSeconds: num(p.ReceiveMessageWaitTimeSeconds),
        redrivePolicy: redrive && defined({ deadLetterTargetArn: redrive.deadLetterTargetArn, maxReceiveCount: num(redrive.maxReceiveCount) }),
        tags: tagMap(p.Tags),
      });
      // RedrivePolicy's own keys are lowerCamelCase in CloudFormation too.
      t.origins.push({ native: ["queues", me.name], template: base });
      t.origins.push({ native: ["queues", me.name, "redrivePolicy"], template: [...base, "RedrivePolicy"], keys: { deadLetterTargetArn: "deadLetterTargetArn", maxReceiveCount: "maxReceiveCount" } });
      const createdFor = stack.resources[id]!.Metadata?.[GENERATED];
      t.said(id, `queue ${me.ref}${redrive ? ` (dead-letter queue ${shortArn(redrive.deadLetterTargetArn)} after ${String(redrive.maxReceiveCount)} receives)` : ""}${createdFor === undefined ? "" : ` (created by SAM for ${String(createdFor)})`}`);
      return;
    }
    case "AWS::SNS::Topic":
      return snsTopic(t, stack, id, p);
    case "AWS::SNS::Subscription":
      return snsSubscription(t, id, p);
    case "AWS::Kinesis::Stream": {
      const me = stack.identity(id, base);
      const mode = (p.StreamModeDetails as Props | undefined)?.StreamMode;
      t.config.streams[me.name] = defined({ shardCount: num(p.ShardCount), streamMode: mode, retentionPeriodHours: num(p.RetentionPeriodHours), tags: tagMap(p.Tags) });
      t.origins.push({ native: ["streams", me.name], template: base, keys: { streamMode: "StreamModeDetails.StreamMode" } });
      t.said(id, `stream ${me.name} (${mode === "ON_DEMAND" ? "on demand" : `${String(num(p.ShardCount) ?? 1)} shard(s)`})`);
      return;
    }
    case "AWS::Lambda::EventSourceMapping": {
      const onFailure = ((p.DestinationConfig as Props | undefined)?.OnFailure as Props | undefined)?.Destination;
      const scaling = p.ScalingConfig as Props | undefined;
      mapping(
        t,
        defined({
          functionName: p.FunctionName,
          eventSourceArn: p.EventSourceArn,
          batchSize: num(p.BatchSize),
          maximumBatchingWindowInSeconds: num(p.MaximumBatchingWindowInSeconds),
          functionResponseTypes: p.FunctionResponseTypes,
          enabled: bool(p.Enabled),
          scalingConfig: scaling && { maximumConcurrency: num(scaling.MaximumConcurrency) },
          startingPosition: p.StartingPosition,
          startingPositionTimestamp: p.StartingPositionTimestamp,
          parallelizationFactor: num(p.ParallelizationFactor),
          bisectBatchOnFunctionError: bool(p.BisectBatchOnFunctionError),
          maximumRetryAttempts: num(p.MaximumRetryAttempts),
          maximumRecordAgeInSeconds: num(p.MaximumRecordAgeInSeconds),
          tumblingWindowInSeconds: num(p.TumblingWindowInSeconds),
          destinationConfig: onFailure === undefined ? undefined : { onFailure: { destination: onFailure } },
          filterCriteria: filterCriteria(p.FilterCriteria),
        }),
        base,
      );
      t.said(id, `mapping ${shortArn(p.EventSourceArn)} → ${shortArn(p.FunctionName)}`);
      return;
    }
    case "AWS::Lambda::EventInvokeConfig": {
      const config = eventInvokeConfigInput(p);
      const fn = functionNameOf(p.FunctionName);
      t.actions.push({ kind: "event-invoke-config", logicalId: id, functionName: fn, qualifier: String(p.Qualifier ?? "$LATEST"), config });
      t.said(id, `event invoke config of ${fn}:${String(p.Qualifier ?? "$LATEST")}`);
      return;
    }
    case "AWS::Lambda::Version": {
      const fn = functionNameOf(p.FunctionName);
      const pc = (p.ProvisionedConcurrencyConfig as Props | undefined)?.ProvisionedConcurrentExecutions;
      t.actions.push(defined({ kind: "publish" as const, logicalId: id, functionName: fn, description: p.Description as string | undefined, provisioned: num(pc) as number | undefined }) as TemplateAction);
      t.said(id, `version of ${fn} published at start`);
      return;
    }
    case "AWS::Lambda::Alias": {
      const fn = functionNameOf(p.FunctionName);
      const pc = (p.ProvisionedConcurrencyConfig as Props | undefined)?.ProvisionedConcurrentExecutions;
      const routing = p.RoutingConfig as Props | undefined;
      // CloudFormation's RoutingConfig: { AdditionalVersionWeights: [{ FunctionVersion, FunctionWeight }] }; the API's is a map.
      const weights = routing?.AdditionalVersionWeights as Props[] | undefined;
      if (weights !== undefined && (!Array.isArray(weights) || !weights.every((w) => w !== null && typeof w === "object"))) throw new TemplateError([...base, "RoutingConfig", "AdditionalVersionWeights"], "expected a list of { FunctionVersion, FunctionWeight }");
      const routingConfig = weights === undefined ? undefined : { AdditionalVersionWeights: Object.fromEntries(weights.map((w) => [String(w.FunctionVersion), Number(w.FunctionWeight)])) };
      t.actions.push(defined({ kind: "alias" as const, logicalId: id, functionName: fn, alias: String(p.Name), version: String(p.FunctionVersion), routingConfig, provisioned: num(pc) as number | undefined }) as TemplateAction);
      t.said(id, `alias ${fn}:${String(p.Name)} → version ${String(p.FunctionVersion)}`);
      return;
    }
    case "AWS::Events::Rule": {
      const me = stack.identity(id, base);
      if (p.ScheduleExpression === undefined && p.EventPattern === undefined) throw new TemplateError(base, "expected an EventPattern or a ScheduleExpression");
      if (p.Targets !== undefined && (!Array.isArray(p.Targets) || !p.Targets.every((x) => x !== null && typeof x === "object"))) throw new TemplateError([...base, "Targets"], "expected a list of targets ({ Id, Arn, Input })");
      const targets = ((p.Targets ?? []) as Props[]).map(ruleTarget);
      const pattern = p.EventPattern === undefined || typeof p.EventPattern === "string" ? p.EventPattern : JSON.stringify(p.EventPattern);
      if (pattern !== undefined) checkEventPattern(t, pattern, [...base, "EventPattern"]);
      const rule = defined({ ScheduleExpression: p.ScheduleExpression, EventPattern: pattern, EventBusName: p.EventBusName, State: p.State ?? "ENABLED", Description: p.Description });
      t.actions.push({ kind: "rule", logicalId: id, name: me.name, rule, targets });
      t.said(id, `EventBridge rule ${me.name}${disabledNote(rule.State)}: ${String(p.ScheduleExpression ?? `pattern on ${busName(p.EventBusName)}`)} → ${targets.map((x) => shortArn(x.Arn)).join(", ") || "no target"}`);
      return;
    }
    case "AWS::Events::EventBus": {
      const me = stack.identity(id, base);
      // Buses first: the rules of the template may be on them.
      t.actions.unshift({ kind: "event-bus", logicalId: id, name: me.name, ...(typeof p.Description === "string" ? { description: p.Description } : {}) });
      t.said(id, `EventBridge bus ${me.name}`);
      return;
    }
    case "AWS::Serverless::Api":
    case "AWS::Serverless::HttpApi":
      apiResource(t, stack, id, type, p, base);
      return;
    case "AWS::ApiGateway::RestApi":
    case "AWS::ApiGateway::Resource":
    case "AWS::ApiGateway::Method":
    case "AWS::ApiGateway::Stage":
    case "AWS::ApiGateway::Deployment":
      restApiGatewayResource(t, stack, id, type, p, base);
      return;
    case "AWS::Scheduler::Schedule": {
      const me = stack.identity(id, base);
      const target = (p.Target ?? {}) as Props;
      // A group other than the default is made at start if the template does not (AWS::Scheduler::ScheduleGroup).
      const key = scheduleKey(typeof p.GroupName === "string" ? p.GroupName : "default", me.name);
      if (t.config.schedules[key] !== undefined) throw new TemplateError([...base, "Name"], `a second schedule named ${me.name} in group ${String(p.GroupName ?? "default")}: a name is unique within its group`);
      t.config.schedules[key] = schedulerSchedule(p, target);
      t.origins.push({ native: ["schedules", key], template: base });
      t.said(id, `schedule ${me.name}${groupNote(p.GroupName)}${disabledNote(p.State)}: ${String(p.ScheduleExpression)} → ${shortArn(target.Arn)}`);
      return;
    }
    case "AWS::Scheduler::ScheduleGroup": {
      const me = stack.identity(id, base);
      const tags = Array.isArray(p.Tags) ? (p.Tags as Props[]).map((x) => ({ Key: String(x.Key), Value: String(x.Value) })) : [];
      // Groups first: the template's schedules on aliases are made in them.
      t.actions.unshift({ kind: "schedule-group", logicalId: id, name: me.name, arn: String(me.attributes.Arn), tags });
      t.said(id, `schedule group ${me.name}`);
      return;
    }
  }
}

/** A function named by name or ARN, as FunctionName properties take it. */
function functionNameOf(v: unknown): string {
  return String(v).replace(/^arn:aws:lambda:[^:]*:\d*:function:/, "");
}

/** A property CloudFormation also takes as JSON text (RedrivePolicy). */
function jsonProperty(text: string, path: readonly (string | number)[]): Props {
  try {
    const v = JSON.parse(text) as unknown;
    if (v !== null && typeof v === "object" && !Array.isArray(v)) return v as Props;
  } catch {
    // reported below
  }
  throw new TemplateError(path, "expected a map or its JSON text");
}
