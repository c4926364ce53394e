import { arnService, isAwsError, type Clock, type RandomStream, type SourceContext, type TimerHandle } from "@lambda-sim/core";
import { deadLetterAttributes, type DeliveryFailure } from "./dead-letter-attributes.ts";
import type { Delivery, EventStore, EventTarget } from "./event-store.ts";
import { streamPartitionKey } from "./input-transformer.ts";
import type { RuleActivity } from "./rule-activity.ts";

/** EventBridge's RetryPolicy defaults: 24 hours and 185 attempts (user guide "Event retry policy"). */
export const DEFAULT_RETRY_ATTEMPTS = 185;
export const DEFAULT_EVENT_AGE_S = 86_400;
/** Deliveries in flight at once; the rest wait in the table. */
const CONCURRENCY = 64;

type Services = Pick<SourceContext, "invoker" | "deliverToTarget" | "telemetry">;

/** How a target of another bus receives an event: the bus source matches it against that bus's rules. */
export type ForwardToBus = (busArn: string, event: string) => void;

/**
 * Delivers what PutEvents accepted, from the events_deliveries table, on the Clock: a Lambda
 * target is invoked asynchronously (Event), so the function's own async retries apply; another
 * bus receives the event; SQS, SNS and the rest go through the TargetRegistry.
 *
 * A failed delivery is retried per the target's RetryPolicy with exponential backoff and jitter
 * (AWS's words; the curve is ours: 1 s doubling to 5 min, half of it random), except when the
 * target does not exist, which no retry mends: that goes straight to the dead-letter queue, as
 * AWS does for a missing resource or permission. Rows leave the table only once delivered or
 * dead-lettered, so a crash delivers them again after the restart (at least once).
 */
export class DeliveryWorker {
  private readonly inFlight = new Set<number>();
  private timer: TimerHandle | undefined;
  private timerAt = Infinity;
  private running = false;
  private again = false;
  private stopped = false;

  private readonly clock: Clock;
  private readonly store: EventStore;
  private readonly s: Services;
  private readonly jitter: RandomStream;
  private readonly forward: ForwardToBus;
  /** Where the outcomes are reported (telemetry) and counted. */
  private readonly activity: RuleActivity;

  constructor(clock: Clock, store: EventStore, s: Services, jitter: RandomStream, forward: ForwardToBus, activity: RuleActivity) {
    this.clock = clock;
    this.store = store;
    this.s = s;
    this.jitter = jitter;
    this.forward = forward;
    this.activity = activity;
  }

  /** Delivers what is due now, then sleeps until the next retry is due. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    // Held: what is due is delivered, and the next retry armed, at this instant, though an SNS
    // target awaits a commit's turn of the event loop, in which a VirtualClock would jump on.
    const hold = this.clock.hold("events.delivery");
    void this.drain()
      .catch((e: unknown) => {
        // After stop() the database may be closed under an in-flight delivery: nothing to report.
        if (!this.stopped) this.s.telemetry.emit({ type: "simulator.warning", message: `EventBridge deliveries: ${(e as Error).message}` });
      })
      .finally(() => {
        this.running = false;
        if (this.again) {
          this.again = false;
          this.kick();
        } else this.sleep();
        hold.release();
      });
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  private sleep(): void {
    if (this.stopped) return;
    const next = this.store.nextDueAt();
    if (next === undefined || this.stopped || next >= this.timerAt) return;
    this.timer?.cancel();
    this.timerAt = next;
    this.timer = this.clock.setTimer(Math.max(0, next - this.clock.now()), () => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.kick();
    }, "events.delivery");
  }

  private async drain(): Promise<void> {
    for (;;) {
      const due = this.store.due(this.clock.now(), CONCURRENCY * 4).filter((d) => !this.inFlight.has(d.id));
      if (due.length === 0 || this.stopped) return;
      for (let i = 0; i < due.length; i += CONCURRENCY) {
        const chunk = due.slice(i, i + CONCURRENCY);
        // The targets' synchronous writes (an SQS send, an Event invoke's store) share one
        // commit: started inside one transaction, awaited after it.
        const ok = await Promise.all(this.store.inTransaction(() => chunk.map((d) => this.deliverOne(d))));
        if (this.stopped) return;
        // One commit for the chunk's delivered rows, not one each.
        this.store.deliveredAll(chunk.filter((_, k) => ok[k]).map((d) => d.id));
        for (const d of chunk) this.inFlight.delete(d.id);
      }
    }
  }

  /** True when the target has the event; a failure is rescheduled or dead-lettered here. */
  private async deliverOne(d: Delivery): Promise<boolean> {
    this.inFlight.add(d.id);
    try {
      const requestId = await this.send(d.target, d.body, d.event);
      this.activity.report({ type: "events.delivered", ...this.about(d), attempt: d.attempts + 1, requestId });
      return true;
    } catch (e) {
      if (!this.stopped) await this.failed(d, e);
      return false;
    }
  }

  /** Delivers to the target; for a Lambda target, the asynchronous invocation's request id. */
  private async send(t: EventTarget, body: string, event: string): Promise<string | undefined> {
    const service = arnService(t.Arn);
    if (service === "lambda") {
      const out = await this.s.invoker.invoke({ functionName: t.Arn, payload: Buffer.from(body), invocationType: "Event" });
      return out.kind === "accepted" ? out.requestId : undefined;
    } else if (service === "events") {
      // Bus to bus: the event travels as it is; the target's input settings do not apply.
      this.forward(t.Arn, event);
    } else if (service === "kinesis") {
      await this.s.deliverToTarget(t.Arn, body, undefined, { partitionKey: streamPartitionKey(t, JSON.parse(event) as { id: string }) });
    } else {
      // FIFO queues: the target's MessageGroupId, and the event id as the deduplication id.
      const group = t.SqsParameters?.MessageGroupId;
      const options = group === undefined ? undefined : { messageGroupId: group, messageDeduplicationId: (JSON.parse(event) as { id: string }).id };
      await this.s.deliverToTarget(t.Arn, body, undefined, options);
    }
    return undefined;
  }

  /** The delivery's rule, target and event, as its telemetry events name them. */
  private about(d: Delivery) {
    return { ruleArn: d.ruleArn, targetId: d.target.Id, targetArn: d.target.Arn, eventId: eventIdOf(d.event) };
  }

  private async failed(d: Delivery, e: unknown): Promise<void> {
    const f = classify(e);
    const attempts = d.attempts + 1;
    const maxRetries = d.target.RetryPolicy?.MaximumRetryAttempts ?? DEFAULT_RETRY_ATTEMPTS;
    const maxAgeMs = (d.target.RetryPolicy?.MaximumEventAgeInSeconds ?? DEFAULT_EVENT_AGE_S) * 1000;
    const base = Math.min(300_000, 1000 * 2 ** d.attempts);
    const dueAt = this.clock.now() + base / 2 + this.jitter.next() * (base / 2);
    const failed = { type: "events.delivery-failed" as const, ...this.about(d), attempt: attempts, error: `${f.code}: ${f.message}` };
    if (f.retryable && d.attempts < maxRetries && dueAt - d.acceptedAt <= maxAgeMs) {
      this.store.retryAt(d.id, attempts, Math.round(dueAt));
      this.activity.report({ ...failed, retryInMs: Math.round(dueAt) - this.clock.now() });
      return;
    }
    const exhausted = !f.retryable ? undefined : d.attempts >= maxRetries ? "MaximumRetryAttempts" : "MaximumEventAgeInSeconds";
    const dlq = await this.deadLetter(d, { ...f, retries: d.attempts, exhausted });
    this.activity.report({ ...failed, ...dlq });
    this.store.delivered(d.id);
  }

  /**
   * The dead-letter message: the event as the bus received it, with why it failed as message
   * attributes (user guide "Event retry policy and using dead-letter queues"). Without a
   * DeadLetterConfig, or when the dead-letter queue fails too, the event is dropped.
   */
  private async deadLetter(d: Delivery, f: DeliveryFailure): Promise<{ deadLetterArn: string } | { dropped: true; error?: string }> {
    const dlq = d.target.DeadLetterConfig?.Arn;
    if (dlq === undefined) return { dropped: true };
    const attributes = deadLetterAttributes(f, "RULE_ARN", d.ruleArn, d.target.Arn);
    try {
      await this.s.deliverToTarget(dlq, d.event, attributes);
      return { deadLetterArn: dlq };
    } catch (e) {
      return { dropped: true, error: `${f.code}: ${f.message}; its dead-letter queue ${dlq} failed too (${(e as Error).message})` };
    }
  }
}

/**
 * EventBridge's ERROR_CODE for a failed delivery (codes seen in its dead-letter messages; which
 * local failure maps to which is ours): a missing target is not retried.
 */
function classify(e: unknown): { code: string; message: string; retryable: boolean } {
  const message = e instanceof Error ? e.message : String(e);
  const status = isAwsError(e) ? e.statusCode : 500;
  if (status === 404 || (isAwsError(e) && e.code === "ResourceNotFoundException") || /does not exist|has no target/.test(message)) {
    return { code: "RESOURCE_NOT_FOUND", message, retryable: false };
  }
  if (status === 429) return { code: "THROTTLING", message, retryable: true };
  return { code: "SDK_CLIENT_ERROR", message, retryable: status >= 500 };
}

/**
 * The `id` of a stored event without parsing it: every event a bus accepts is serialised with
 * `version` then `id` first (put-events.ts, destination events, and events forwarded from another
 * bus keep the order they were built in), so the first `"id":` is the event's own.
 */
export function eventIdOf(event: string): string {
  return /"id":"([^"]*)"/.exec(event.slice(0, 200))?.[1] ?? "";
}
