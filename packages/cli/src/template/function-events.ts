import { apiEvent } from "./api-events.ts";
import { scheduleKey } from "@lambda-sim/sources";
import { TemplateError, type TemplatePath } from "./intrinsics.ts";
import { generatedName } from "./resource-identity.ts";
import { deadLetterArn, snsQueue } from "./sam-generated-queues.ts";
import { addSubscription } from "./sns-resources.ts";
import type { TemplateStack } from "./template-stack.ts";
import { bool, checkEventPattern, defined, num, type Translation } from "./translation.ts";

type Props = Record<string, unknown>;

/** SAM event types whose front or source lambda-sim does not run yet: listed, not an error. */
const NOT_YET: Record<string, string> = {
  FunctionUrl: "function URL",
  DynamoDB: "DynamoDB stream",
  S3: "S3",
  SelfManagedKafka: "Kafka",
  MSK: "MSK",
  MQ: "Amazon MQ",
  DocumentDB: "DocumentDB",
  CloudWatchLogs: "CloudWatch Logs",
  IoTRule: "IoT rule",
  AlexaSkill: "Alexa skill",
  Cognito: "Cognito",
};

/**
 * A serverless function's `Events`, as SAM expands them: SQS and Kinesis events into event source
 * mappings, `Schedule` into an EventBridge scheduled rule (which sends AWS's "Scheduled Event"),
 * `ScheduleV2` into an EventBridge Scheduler schedule (which sends its Input), `SNS` into a lambda
 * subscription of the topic (or, with `SqsSubscription`, a queue subscribed to it and mapped to the
 * function). A `DeadLetterConfig: { Type: SQS }` points at the queue SAM creates (sam-generated-queues.ts).
 */
export function functionEvents(t: Translation, stack: TemplateStack, fnId: string, fnName: string, events: unknown, base: TemplatePath): void {
  if (events === undefined) return;
  if (events === null || typeof events !== "object" || Array.isArray(events)) throw new TemplateError([...base, "Events"], "expected a map of event names to events");
  const fnArn = `arn:aws:lambda:${stack.info.region}:${stack.info.accountId}:function:${fnName}`;
  for (const [evId, ev] of Object.entries(events as Record<string, Props>)) {
    const path = [...base, "Events", evId];
    const type = ev?.Type;
    const p = (ev?.Properties ?? {}) as Props;
    const label = `${fnId}.${evId}`;
    if (typeof type === "string" && NOT_YET[type] !== undefined) {
      t.notSimulated.push(`${label} (${type}: ${NOT_YET[type]})`);
      continue;
    }
    const at = [...path, "Properties"];
    switch (type) {
      case "SQS": {
        const entry = defined({
          functionName: fnName,
          eventSourceArn: p.Queue,
          batchSize: num(p.BatchSize),
          maximumBatchingWindowInSeconds: num(p.MaximumBatchingWindowInSeconds),
          functionResponseTypes: p.FunctionResponseTypes,
          enabled: bool(p.Enabled),
          scalingConfig: p.ScalingConfig === undefined ? undefined : { maximumConcurrency: num((p.ScalingConfig as Props).MaximumConcurrency) },
          filterCriteria: filterCriteria(p.FilterCriteria),
        });
        mapping(t, entry, at, { eventSourceArn: "Queue" });
        t.created[`${fnId}${evId}`] = { type: "AWS::Lambda::EventSourceMapping", functionName: fnName, eventSourceArn: String(p.Queue) };
        t.said(label, `mapping ${shortArn(p.Queue)} → ${fnName} (batch ${num(p.BatchSize) ?? 10}${(p.FunctionResponseTypes as unknown[] | undefined)?.includes("ReportBatchItemFailures") ? ", partial batch responses" : ""})`);
        break;
      }
      case "Kinesis": {
        const onFailure = ((p.DestinationConfig as Props | undefined)?.OnFailure as Props | undefined)?.Destination;
        const entry = defined({
          functionName: fnName,
          eventSourceArn: p.Stream,
          startingPosition: p.StartingPosition,
          startingPositionTimestamp: p.StartingPositionTimestamp,
          batchSize: num(p.BatchSize),
          maximumBatchingWindowInSeconds: num(p.MaximumBatchingWindowInSeconds),
          parallelizationFactor: num(p.ParallelizationFactor),
          bisectBatchOnFunctionError: bool(p.BisectBatchOnFunctionError),
          maximumRetryAttempts: num(p.MaximumRetryAttempts),
          maximumRecordAgeInSeconds: num(p.MaximumRecordAgeInSeconds),
          tumblingWindowInSeconds: num(p.TumblingWindowInSeconds),
          functionResponseTypes: p.FunctionResponseTypes,
          enabled: bool(p.Enabled),
          destinationConfig: onFailure === undefined ? undefined : { onFailure: { destination: onFailure } },
          filterCriteria: filterCriteria(p.FilterCriteria),
        });
        mapping(t, entry, at, { eventSourceArn: "Stream" });
        t.created[`${fnId}${evId}`] = { type: "AWS::Lambda::EventSourceMapping", functionName: fnName, eventSourceArn: String(p.Stream) };
        t.said(label, `mapping ${shortArn(p.Stream)} → ${fnName} (${String(p.StartingPosition)}, batch ${num(p.BatchSize) ?? 100})`);
        break;
      }
      case "SNS": {
        const redrive = (typeof p.RedrivePolicy === "string" ? JSON.parse(p.RedrivePolicy) : p.RedrivePolicy) as Props | undefined;
        const delivery = defined({ filterPolicy: p.FilterPolicy, filterPolicyScope: p.FilterPolicyScope, redrivePolicy: redrive && { deadLetterTargetArn: redrive.deadLetterTargetArn } });
        const topic = String(p.Topic).split(":").at(-1);
        const filtered = p.FilterPolicy === undefined ? "" : " (filter policy)";
        const queue = snsQueue(stack, fnId, evId, p.SqsSubscription, [...at, "SqsSubscription"]);
        if (queue === undefined) {
          addSubscription(t, p.Topic, { protocol: "lambda", endpoint: fnArn, ...delivery }, at, "Topic");
          t.created[`${fnId}${evId}`] = { type: "AWS::SNS::Subscription", topicArn: String(p.Topic), protocol: "lambda", endpoint: fnArn };
          t.said(label, `subscription ${topic} → ${fnName}${filtered}`);
          break;
        }
        // SAM: topic → queue (an sqs subscription, the SNS envelope as the body) → function (an SQS mapping).
        addSubscription(t, p.Topic, { protocol: "sqs", endpoint: queue.arn, ...delivery }, at, "Topic");
        t.created[`${fnId}${evId}`] = { type: "AWS::SNS::Subscription", topicArn: String(p.Topic), protocol: "sqs", endpoint: queue.arn };
        mapping(t, { functionName: fnName, eventSourceArn: queue.arn, batchSize: queue.batchSize, enabled: true }, [...at, "SqsSubscription"], { eventSourceArn: "QueueArn" });
        t.said(label, `subscription ${topic} → ${shortArn(queue.arn)}${queue.createdAs === undefined ? "" : ` (${queue.createdAs})`} → ${fnName}${filtered} (batch ${String(queue.batchSize)})`);
        break;
      }
      case "Schedule": {
        const ruleId = `${fnId}${evId}`;
        const name = typeof p.Name === "string" ? p.Name : generatedName(stack.info.stackName, ruleId, 64);
        if (typeof p.Schedule !== "string") throw new TemplateError([...at, "Schedule"], "expected rate(…) or cron(…)");
        const disabled = bool(p.Enabled) === false || p.State === "DISABLED";
        const dlq = deadLetterArn(stack, fnId, evId, p.DeadLetterConfig, [...at, "DeadLetterConfig"]);
        const retry = p.RetryPolicy as Props | undefined;
        t.actions.push({
          kind: "rule",
          logicalId: label,
          name,
          rule: defined({ ScheduleExpression: p.Schedule, State: disabled ? "DISABLED" : "ENABLED", Description: p.Description }),
          // SAM names the rule's target `<Function><Event>LambdaTarget`.
          targets: [defined({ Id: `${ruleId}LambdaTarget`.slice(0, 64), Arn: fnArn, Input: p.Input, RetryPolicy: retry && defined({ MaximumRetryAttempts: num(retry.MaximumRetryAttempts), MaximumEventAgeInSeconds: num(retry.MaximumEventAgeInSeconds) }), DeadLetterConfig: dlq })],
        });
        t.said(label, `EventBridge rule ${name}${disabledNote(disabled ? "DISABLED" : undefined)}: ${p.Schedule} → ${fnName}${deadLetterNote(dlq)}`);
        t.created[ruleId] = { type: "AWS::Events::Rule", name, arn: `arn:aws:events:${stack.info.region}:${stack.info.accountId}:rule/${name}` };
        break;
      }
      case "EventBridgeRule":
      case "CloudWatchEvent": {
        // SAM: an AWS::Events::Rule with the event's Pattern, on EventBusName, targeting the function.
        const ruleId = `${fnId}${evId}`;
        const name = typeof p.RuleName === "string" ? p.RuleName : generatedName(stack.info.stackName, ruleId, 64);
        if (p.Pattern === undefined) throw new TemplateError([...at, "Pattern"], "expected an event pattern");
        const pattern = typeof p.Pattern === "string" ? p.Pattern : JSON.stringify(p.Pattern);
        checkEventPattern(t, pattern, [...at, "Pattern"]);
        const targetId = ((p.Target as Props | undefined)?.Id as string | undefined) ?? `${ruleId}LambdaTarget`.slice(0, 64);
        const rule = defined({ EventPattern: pattern, EventBusName: p.EventBusName, State: p.State ?? (bool(p.Enabled) === false ? "DISABLED" : "ENABLED") });
        const dlq = deadLetterArn(stack, fnId, evId, p.DeadLetterConfig, [...at, "DeadLetterConfig"]);
        t.actions.push({ kind: "rule", logicalId: label, name, rule, targets: [ruleTarget({ ...p, Id: targetId, Arn: fnArn, DeadLetterConfig: dlq })] });
        t.said(label, `EventBridge rule ${name}${disabledNote(rule.State)}: pattern on ${busName(p.EventBusName)} → ${fnName}${deadLetterNote(dlq)}`);
        const bus = typeof p.EventBusName === "string" && busName(p.EventBusName) !== "default" ? `${busName(p.EventBusName)}/` : "";
        t.created[ruleId] = { type: "AWS::Events::Rule", name, arn: `arn:aws:events:${stack.info.region}:${stack.info.accountId}:rule/${bus}${name}` };
        break;
      }
      case "ScheduleV2": {
        const name = typeof p.Name === "string" ? p.Name : generatedName(stack.info.stackName, `${fnId}${evId}`, 64);
        const group = typeof p.GroupName === "string" ? p.GroupName : "default";
        const dlq = deadLetterArn(stack, fnId, evId, p.DeadLetterConfig, [...at, "DeadLetterConfig"]);
        const key = scheduleKey(group, name);
        if (t.config.schedules[key] !== undefined) throw new TemplateError([...at, "Name"], `a second schedule named ${name} in group ${group}: a name is unique within its group`);
        t.config.schedules[key] = schedulerSchedule(p, { Arn: fnArn, RoleArn: p.RoleArn, Input: p.Input, RetryPolicy: p.RetryPolicy, DeadLetterConfig: dlq });
        t.origins.push({ native: ["schedules", key], template: at, keys: { target: "Input" } });
        t.created[`${fnId}${evId}`] = { type: "AWS::Scheduler::Schedule", name, arn: `arn:aws:scheduler:${stack.info.region}:${stack.info.accountId}:schedule/${group}/${name}` };
        t.said(label, `schedule ${name}${groupNote(p.GroupName)}${disabledNote(p.State)}: ${String(p.ScheduleExpression)}${p.ScheduleExpressionTimezone ? ` ${String(p.ScheduleExpressionTimezone)}` : ""} → ${fnName}${deadLetterNote(dlq)}`);
        break;
      }
      case "Api":
      case "HttpApi":
        apiEvent(t, stack, type, fnName, p, label, at);
        break;
      default:
        t.problems.push(new TemplateError([...path, "Type"], `expected an event type (SQS, Kinesis, SNS, Schedule, ScheduleV2, EventBridgeRule, CloudWatchEvent, Api, HttpApi, ${Object.keys(NOT_YET).join(", ")}), got ${JSON.stringify(type)}`));
    }
  }
}

/** An EventBridge rule target (AWS::Events::Rule Targets[], or a SAM event's properties) in PutTargets' names. */
export function ruleTarget(x: Props): Record<string, unknown> {
  const retry = x.RetryPolicy as Props | undefined;
  return defined({
    Id: x.Id,
    Arn: x.Arn,
    Input: x.Input,
    InputPath: x.InputPath,
    InputTransformer: x.InputTransformer,
    RetryPolicy: retry && defined({ MaximumRetryAttempts: num(retry.MaximumRetryAttempts), MaximumEventAgeInSeconds: num(retry.MaximumEventAgeInSeconds) }),
    DeadLetterConfig: x.DeadLetterConfig,
    SqsParameters: x.SqsParameters,
    KinesisParameters: x.KinesisParameters,
  });
}

export function mapping(t: Translation, entry: Record<string, unknown>, at: TemplatePath, keys: Record<string, string> = {}): void {
  t.origins.push({ native: ["eventSourceMappings", t.config.eventSourceMappings.length], template: at, keys });
  t.config.eventSourceMappings.push(entry);
}

/** `{ Filters: [{ Pattern: "json" }] }` as the native filterCriteria. */
export function filterCriteria(v: unknown): unknown {
  if (v === undefined) return undefined;
  const filters = (v as Props).Filters;
  return { filters: Array.isArray(filters) ? filters.map((f: Props) => ({ pattern: f.Pattern })) : filters };
}

function deadLetterNote(dlq: { Arn: unknown } | undefined): string {
  return dlq === undefined ? "" : ` (dead-letter queue ${shortArn(dlq.Arn)})`;
}

/** A rule's bus for a start-up line, by its name though written as an ARN (`!GetAtt Bus.Arn`; newuser13). */
export function busName(bus: unknown): string {
  return String(bus ?? "default").replace(/^arn:[^:]+:events:[^:]*:[^:]*:event-bus\//, "");
}

/** ` (DISABLED)` after a disabled rule's or schedule's name on its start-up line: it will not fire (newuser13). */
export function disabledNote(state: unknown): string {
  return state === "DISABLED" ? " (DISABLED)" : "";
}

/** ` in group G` for a start-up line, when a schedule is not in the default group. */
export function groupNote(group: unknown): string {
  return group === undefined || group === "default" ? "" : ` in group ${String(group)}`;
}

/** `arn:aws:sqs:r:a:orders` → `sqs:orders`, for start-up lines. */
export function shortArn(arn: unknown): string {
  const s = String(arn);
  const m = /^arn:aws:(sqs|kinesis|lambda):[^:]*:\d*:(?:stream\/|function:)?(.+)$/.exec(s);
  return m === null ? s : `${m[1]}:${m[2]}`;
}

/**
 * A Scheduler schedule (CreateSchedule's members) as lambda-sim.yaml's `schedules:` entry: the
 * `ScheduleV2` event of a function and `AWS::Scheduler::Schedule` share it; `target` is the
 * schedule's Target (Arn, Input, RetryPolicy, DeadLetterConfig).
 */
export function schedulerSchedule(p: Props, target: Props): Props {
  const retry = target.RetryPolicy as Props | undefined;
  const dlq = (target.DeadLetterConfig as Props | undefined)?.Arn;
  const window = p.FlexibleTimeWindow as Props | undefined;
  return defined({
    scheduleExpression: p.ScheduleExpression,
    scheduleExpressionTimezone: p.ScheduleExpressionTimezone,
    state: p.State,
    description: p.Description,
    startDate: p.StartDate,
    endDate: p.EndDate,
    flexibleTimeWindow: window && defined({ mode: window.Mode, maximumWindowInMinutes: num(window.MaximumWindowInMinutes) }),
    target: defined({
      arn: target.Arn,
      roleArn: typeof target.RoleArn === "string" ? target.RoleArn : undefined,
      input: target.Input,
      retryPolicy: retry && defined({ maximumRetryAttempts: num(retry.MaximumRetryAttempts), maximumEventAgeInSeconds: num(retry.MaximumEventAgeInSeconds) }),
      deadLetterConfig: dlq === undefined ? undefined : { arn: dlq },
    }),
  });
}
