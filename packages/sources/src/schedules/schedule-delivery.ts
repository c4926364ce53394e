import { arnService, isAwsError, lambdaErrors, type Clock, type RandomStream, type SourceContext, type TimerHandle } from "@lambda-sim/core";
import { deadLetterAttributes, type DeliveryFailure } from "../events/dead-letter-attributes.ts";
import { streamPartitionKey, targetInput } from "../events/input-transformer.ts";
import type { Deliver } from "./schedule-runner.ts";
import { scheduleArn, type ScheduleRecord, type ScheduleTarget } from "./schedule-store.ts";

type Services = Pick<SourceContext, "invoker" | "deliverToTarget" | "telemetry" | "region" | "accountId"> & {
  clock: Clock;
  ids: RandomStream;
  /** Retry timers waiting to fire, so that stopping the source cancels them. */
  retries?: Set<TimerHandle>;
};

// Scheduler's RetryPolicy defaults (aws-facts §9.2: 185 attempts, 24 h; defaults unconfirmed).
export const DEFAULT_RETRY_ATTEMPTS = 185;
export const DEFAULT_EVENT_AGE_S = 86_400;

/**
 * How a fire reaches its targets. A Lambda target is invoked asynchronously through the
 * AsyncQueue (aws-facts §9: both EventBridge and Scheduler invoke Lambda with Event), so the
 * function's own async retries apply; other ARNs (an SQS queue) go through the TargetRegistry.
 *
 * The schedule's RetryPolicy and DeadLetterConfig cover the delivery of that call, which locally
 * fails only when the target does not exist or the event is too large: client errors (4xx) are
 * not retried and go straight to the dead-letter queue; 429 and 5xx are retried with backoff
 * within MaximumRetryAttempts and MaximumEventAgeInSeconds.
 */
export function scheduleDelivery(s: Services): Deliver {
  return async (r, scheduledAt) => {
    for (const target of r.def.Targets) {
      // A rule's target gets the Scheduled Event, through its Input, InputPath or InputTransformer.
      const event = r.kind === "rule" ? scheduledEvent(r, scheduledAt, s) : undefined;
      const body = event !== undefined ? targetInput({ Id: target.Id ?? "", ...target }, { event, ruleName: r.name, ruleArn: scheduleArn(r, s.region, s.accountId), ingestedAt: scheduledAt }) : (target.Input ?? "{}");
      await attempt(s, r, target, body, 0, s.clock.now(), event);
    }
  };
}

/** The EventBridge scheduled-rule event (aws-facts §9.1, AWS-recorded). */
export function scheduledEvent(r: ScheduleRecord, scheduledAt: number, s: Pick<Services, "ids" | "region" | "accountId">) {
  // `time` is the scheduled minute: rules have one-minute resolution.
  const minute = new Date(Math.floor(scheduledAt / 60_000) * 60_000).toISOString().replace(".000Z", "Z");
  return {
    version: "0",
    id: s.ids.uuid(),
    "detail-type": "Scheduled Event",
    source: "aws.events",
    account: s.accountId,
    time: minute,
    region: s.region,
    resources: [scheduleArn(r, s.region, s.accountId)],
    detail: {},
  };
}

/** A scheduled rule's event (scheduledEvent); a Scheduler schedule has none. */
type RuleEvent = ReturnType<typeof scheduledEvent>;

/** Delivers `body` to the target; the request id of the invocation when it is a function's. */
async function send(s: Services, r: ScheduleRecord, target: ScheduleTarget, body: string, event: RuleEvent | undefined): Promise<string | undefined> {
  const arn = target.Arn;
  const service = arnService(arn);
  if (service === "lambda") {
    // Lambda's Invoke takes JSON only (aws-facts §1.4): a text Input is refused, not run.
    try {
      JSON.parse(body);
    } catch (e) {
      throw lambdaErrors.invalidRequestContent(`Could not parse request body into json: Could not parse payload into json: ${(e as Error).message}`);
    }
    const out = await s.invoker.invoke({ functionName: arn, payload: Buffer.from(body), invocationType: "Event" });
    return out.kind === "accepted" ? out.requestId : undefined;
  }
  // A rule's FIFO queue target takes the event id as its deduplication id, as a pattern rule's does
  // (target-delivery.ts; review23 L9); a Scheduler schedule's needs content-based deduplication (SqsParameters).
  const group = target.SqsParameters?.MessageGroupId;
  const options = service === "kinesis" ? { partitionKey: partitionKey(r, target, event) } : group === undefined ? undefined : { messageGroupId: group, messageDeduplicationId: event?.id };
  await s.deliverToTarget(arn, body, undefined, options);
  return undefined;
}

/** A stream target's partition key: a Scheduler schedule's fixed `KinesisParameters.PartitionKey`, a scheduled rule's as a pattern rule's (streamPartitionKey). */
function partitionKey(r: ScheduleRecord, target: ScheduleTarget, event: RuleEvent | undefined): string {
  // CreateSchedule requires it (the service model's check); the schedule's name for one stored before that check (our choice).
  if (event === undefined) return target.KinesisParameters?.PartitionKey ?? r.name;
  return streamPartitionKey(target, event);
}

async function attempt(s: Services, r: ScheduleRecord, target: ScheduleTarget, body: string, retries: number, firstAt: number, event?: RuleEvent): Promise<void> {
  try {
    const requestId = await send(s, r, target, body, event);
    // The function's invocation is named by its schedule (the dashboard's rows, tail), as an SNS or bus delivery is.
    s.telemetry.emit({ type: "schedule.delivered", scheduleArn: scheduleArn(r, s.region, s.accountId), targetId: target.Id ?? "", targetArn: target.Arn, attempt: retries + 1, requestId });
    return;
  } catch (e) {
    const code = isAwsError(e) ? e.code : "InternalException";
    const status = isAwsError(e) ? e.statusCode : 500;
    const maxAttempts = target.RetryPolicy?.MaximumRetryAttempts ?? DEFAULT_RETRY_ATTEMPTS;
    const maxAgeMs = (target.RetryPolicy?.MaximumEventAgeInSeconds ?? DEFAULT_EVENT_AGE_S) * 1000;
    // Our choice (Scheduler does not publish its backoff): 1 s doubling, at most a minute.
    const delay = Math.min(60_000, 1000 * 2 ** retries);
    const retryable = status === 429 || status >= 500;
    if (retryable && retries < maxAttempts && s.clock.now() + delay - firstAt <= maxAgeMs) {
      const timer = s.clock.setTimer(
        delay,
        () => {
          s.retries?.delete(timer);
          return attempt(s, r, target, body, retries + 1, firstAt, event);
        },
        `schedule.retry:${r.name}`,
      );
      s.retries?.add(timer);
      return;
    }
    const exhausted = !retryable ? undefined : retries >= maxAttempts ? "MaximumRetryAttempts" : "MaximumEventAgeInSeconds";
    await deadLetter(s, r, target, body, { code, message: (e as Error).message, retries, exhausted });
  }
}

async function deadLetter(s: Services, r: ScheduleRecord, target: ScheduleTarget, body: string, f: DeliveryFailure): Promise<void> {
  const arn = scheduleArn(r, s.region, s.accountId);
  const dlq = target.DeadLetterConfig?.Arn;
  const what = `${r.kind === "rule" ? "rule" : "schedule"} ${r.name} could not deliver to ${target.Arn} (${f.code}: ${f.message})`;
  if (dlq === undefined) {
    s.telemetry.emit({ type: "simulator.warning", message: `${what}; it has no DeadLetterConfig, so the event is dropped` });
    return;
  }
  // The dead-letter event: the undelivered input, with what went wrong as message attributes.
  const attributes = deadLetterAttributes(f, r.kind === "rule" ? "RULE_ARN" : "SCHEDULE_ARN", arn, target.Arn);
  try {
    await s.deliverToTarget(dlq, body, attributes);
  } catch (e) {
    s.telemetry.emit({ type: "simulator.warning", message: `${what}; its dead-letter queue ${dlq} failed too (${(e as Error).message})` });
  }
}
