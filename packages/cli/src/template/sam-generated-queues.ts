import { TemplateError, type TemplatePath } from "./intrinsics.ts";
import type { TemplateStack, TemplateResource } from "./template-stack.ts";
import { num } from "./translation.ts";

type Props = Record<string, unknown>;

/** SAM event types whose `DeadLetterConfig: { Type: SQS }` makes SAM create the queue. */
const DLQ_EVENTS = new Set(["EventBridgeRule", "CloudWatchEvent", "Schedule", "ScheduleV2"]);

/**
 * The queues SAM adds to a template itself, added to its resources right after their function (as
 * the SAM transform adds them), so that they get CloudFormation's generated name, a start-up line,
 * and `!Ref`/`!GetAtt` to them work:
 * - the dead-letter queue of an `EventBridgeRule`, `CloudWatchEvent`, `Schedule` or `ScheduleV2`
 *   event with `DeadLetterConfig: { Type: SQS }`: logical id `QueueLogicalId`, by default
 *   `<Function><Event>Queue` (aws-sam-translator, eventbridge_utils.py and eventsources/scheduler.py);
 * - the queue between topic and function of an `SNS` event with `SqsSubscription: true`:
 *   `<Function><Event>Queue` (eventsources/push.py).
 * The queue policies SAM adds beside them are IAM: nothing to simulate. A queue inherits its
 * function's Condition, as SAM passes it on.
 */
export function addGeneratedQueues(resources: Record<string, TemplateResource>, problems: TemplateError[]): Record<string, TemplateResource> {
  const out: Record<string, TemplateResource> = {};
  for (const [id, r] of Object.entries(resources)) {
    out[id] = r;
    const events = r.Type === "AWS::Serverless::Function" ? r.Properties.Events : undefined;
    if (events === null || typeof events !== "object" || Array.isArray(events)) continue;
    for (const [evId, ev] of Object.entries(events as Record<string, Props | null>)) {
      const queueId = generatedQueueId(id, evId, ev);
      if (queueId === undefined) continue;
      if (queueId in resources || queueId in out) {
        problems.push(new TemplateError(["Resources", id, "Properties", "Events", evId], `SAM creates a queue with logical id ${queueId} for this event, and the template already has a resource ${queueId}`));
        continue;
      }
      out[queueId] = { Type: "AWS::SQS::Queue", Properties: {}, Condition: r.Condition, Metadata: { [GENERATED]: `${id}.${evId}` } };
    }
  }
  return out;
}

/** Marks a queue the SAM transform would have added (its value: the event, `Function.Event`). */
export const GENERATED = "lambda-sim:CreatedFor";

/** The logical id of the queue SAM creates for this event, if it creates one. */
function generatedQueueId(fnId: string, evId: string, ev: Props | null): string | undefined {
  const p = (ev?.Properties ?? {}) as Props;
  if (ev?.Type === "SNS") return p.SqsSubscription === true || p.SqsSubscription === "true" ? `${fnId}${evId}Queue` : undefined;
  if (typeof ev?.Type !== "string" || !DLQ_EVENTS.has(ev.Type)) return undefined;
  const dlc = p.DeadLetterConfig as Props | undefined;
  if (dlc === null || typeof dlc !== "object" || dlc.Type !== "SQS" || dlc.Arn !== undefined) return undefined;
  return typeof dlc.QueueLogicalId === "string" ? dlc.QueueLogicalId : `${fnId}${evId}Queue`;
}

/**
 * An event's `DeadLetterConfig` as the target's `{ Arn }`: the ARN given, or that of the queue SAM
 * creates for `Type: SQS`. SAM's checks and messages (eventbridge_utils.py validate_dlq_config).
 */
export function deadLetterArn(stack: TemplateStack, fnId: string, evId: string, v: unknown, at: TemplatePath): { Arn: unknown } | undefined {
  if (v === undefined) return undefined;
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new TemplateError(at, "expected { Arn } or { Type: SQS, QueueLogicalId }");
  const dlc = v as Props;
  if (dlc.Arn !== undefined && dlc.Type !== undefined) throw new TemplateError(at, "You can either define 'Arn' or 'Type' property of DeadLetterConfig.");
  if (dlc.Arn !== undefined) return { Arn: dlc.Arn };
  if (dlc.Type === undefined) throw new TemplateError(at, "No 'Arn' or 'Type' property provided for DeadLetterConfig.");
  if (dlc.Type !== "SQS") throw new TemplateError([...at, "Type"], "The only valid value for 'Type' property of DeadLetterConfig is 'SQS'.");
  const queueId = dlc.QueueLogicalId ?? `${fnId}${evId}Queue`;
  if (typeof queueId !== "string") throw new TemplateError([...at, "QueueLogicalId"], "QueueLogicalId must be a string");
  return { Arn: stack.identity(queueId, at).attributes.Arn };
}

/** Where an SNS event's `SqsSubscription` puts the messages: the queue SAM creates, or the one given. */
export interface SnsQueue {
  arn: string;
  /** The logical id of the queue SAM created, when it did. */
  createdAs?: string;
  batchSize: unknown;
}

/**
 * An SNS event's `SqsSubscription` (push.py): `true` makes `<Function><Event>Queue`; a map names an
 * existing queue by `QueueArn` and `QueueUrl` (both required) with an optional `BatchSize`. The
 * mapping's batch size defaults to 10. SAM's translator makes the mapping `Enabled: true` whatever
 * `Enabled` says (push.py _inject_sqs_event_source_mapping), so a deployed stack's is enabled: so here.
 */
export function snsQueue(stack: TemplateStack, fnId: string, evId: string, v: unknown, at: TemplatePath): SnsQueue | undefined {
  if (v === undefined || v === false || v === "false") return undefined;
  if (v === true || v === "true") {
    const createdAs = `${fnId}${evId}Queue`;
    return { arn: stack.identity(createdAs, at).attributes.Arn!, createdAs, batchSize: 10 };
  }
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new TemplateError(at, "expected true or { QueueArn, QueueUrl, BatchSize, Enabled, QueuePolicyLogicalId }");
  const s = v as Props;
  if (!s.QueueArn || !s.QueueUrl) throw new TemplateError(at, "No QueueARN or QueueURL provided.");
  if (typeof s.QueueArn !== "string" || !/^arn:aws:sqs:[^:]*:\d*:[^:]+$/.test(s.QueueArn)) throw new TemplateError([...at, "QueueArn"], `expected a queue ARN (!GetAtt a queue's Arn), got ${JSON.stringify(s.QueueArn)}`);
  return { arn: s.QueueArn, batchSize: num(s.BatchSize) ?? 10 };
}
