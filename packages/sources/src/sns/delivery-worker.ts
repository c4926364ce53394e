import { FrontDoorPriority, isAwsError, keyShare, type Clock, type FrontDoorArrivals, type GroupCommit, type SourceContext, type TimerHandle } from "@lambda-sim/core";
import { MANAGED_ENDPOINT_POLICY, httpRetryPolicy, retryDelayMs } from "./delivery-policy.ts";
import { lambdaEvent, messageFor, notificationEnvelope, subscriptionConfirmation, type EnvelopeContext } from "./sns-envelope.ts";
import type { DueDelivery, SnsStore, StoredMessage, SubscriptionRow } from "./sns-store.ts";
import type { TopicActivity } from "./topic-activity.ts";

type Services = Pick<SourceContext, "invoker" | "deliverToTarget" | "frontDoor">;

/** At most this many deliveries in progress at once (lambda-sim's choice; AWS publishes none). */
const MAX_IN_FLIGHT = 64;
/** How long an HTTP/HTTPS endpoint has to answer, in wall time (lambda-sim's choice, unconfirmed for AWS). */
const HTTP_TIMEOUT_MS = 15_000;

/** What one attempt came to: delivered, worth retrying (server side), or not (client side). */
type Outcome = { kind: "ok"; requestId?: string } | { kind: "retry"; error: string } | { kind: "client-error"; error: string };

/**
 * Works the outbox of pending deliveries (sns_deliveries) on the Clock: each due row goes to its
 * subscriber; a server-side failure is retried by the protocol's delivery policy, a client-side one
 * (the function or queue is gone, a 4xx answer) is not (SNS message delivery retries). A delivery
 * that cannot be made goes to the subscription's redrive DLQ, else is dropped. Rows are removed
 * only once settled, so a SIGKILL leaves them to be delivered after the restart.
 */
export class DeliveryWorker {
  private readonly store: SnsStore;
  private readonly commits: GroupCommit;
  private readonly clock: Clock;
  private readonly s: Services;
  private readonly env: EnvelopeContext;
  private readonly subscription: (arn: string) => SubscriptionRow | undefined;
  /** Where the outcomes are reported (telemetry) and counted. */
  private readonly activity: TopicActivity;
  private readonly inFlight = new Set<number>();
  /**
   * Deliveries in flight per subscription: one holds at most keyShare() of the slots, so a
   * subscriber that never answers (an HTTP endpoint, each attempt held up to HTTP_TIMEOUT_MS)
   * leaves room for every other's (fuzz19 F13: it stalled every topic's deliveries for 17 s).
   */
  private readonly inFlightBySub = new Map<string, number>();
  /** Of those in flight, the ones started past the limit for a subscription that had none (pass()). */
  private readonly extras = new Set<number>();
  private readonly arrivals: FrontDoorArrivals;
  /** Fewer deliveries in flight while Publish calls arrive fast (issue 16); off under the VirtualClock. */
  private readonly priority: Pick<FrontDoorPriority, "concurrency" | "flooded"> | undefined;
  /** Settled deliveries not yet removed: removed together at the next pass (one transaction, not one each). */
  private settled: DueDelivery[] = [];
  private timer: TimerHandle | undefined;
  private timerAt = Infinity;
  private stopped = false;
  private idle: Promise<void> = Promise.resolve();

  /** `priority`: the front door's policy (tests give a fixed one); by default FrontDoorPriority's, off under the VirtualClock. */
  constructor(store: SnsStore, commits: GroupCommit, clock: Clock, s: Services, env: EnvelopeContext, subscription: (arn: string) => SubscriptionRow | undefined, activity: TopicActivity, priority?: Pick<FrontDoorPriority, "concurrency" | "flooded">) {
    this.store = store;
    this.commits = commits;
    this.clock = clock;
    this.s = s;
    this.env = env;
    this.subscription = subscription;
    this.activity = activity;
    this.arrivals = s.frontDoor;
    this.priority = priority ?? FrontDoorPriority.on(clock, MAX_IN_FLIGHT, s.frontDoor);
  }

  /** A Publish or PublishBatch call stored its messages: a front-door arrival, and work is due. */
  published(): void {
    this.arrivals.arrived();
    this.wake();
  }

  /** Something became due (a publish, a settled delivery): look at the outbox now. */
  wake(): void {
    this.arm(this.clock.now());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) this.timer.cancel();
    await this.idle;
    this.flush();
  }

  /** POSTs the SubscriptionConfirmation to a new HTTP/HTTPS subscription (once; it can be re-sent by subscribing again). */
  confirm(s: SubscriptionRow): void {
    const body = subscriptionConfirmation(s, cryptoId(s.token), this.clock.now(), this.env);
    void this.post(s, JSON.stringify(body), "SubscriptionConfirmation", String(body.MessageId), false).catch(() => {});
  }

  private arm(at: number): void {
    if (this.stopped || at >= this.timerAt) return;
    if (this.timer !== undefined) this.timer.cancel();
    this.timerAt = at;
    this.timer = this.clock.setTimer(Math.max(0, at - this.clock.now()), () => this.pass(), "sns.deliveries");
  }

  private flush(): void {
    if (this.settled.length === 0) return;
    this.store.finish(this.settled, this.clock.now());
    this.settled = [];
  }

  private pass(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    if (this.stopped) return this.flush();
    // Oldest first whatever the limit, so a FIFO topic's order and retry timing are unchanged.
    const limit = this.priority?.concurrency() ?? MAX_IN_FLIGHT;
    // One commit for the pass, the store's group commit flushed now (not a turn later: a caller
    // receiving right after publishing finds the delivery): the settled rows' removal and what the
    // deliveries it starts write synchronously (an SQS send) share it with the writes queued so
    // far; the deliveries are awaited after it. While Publish calls flood in, the pass joins their
    // commit at the end of the turn instead, or every pass would cut their group commit short.
    void this.commits.write(() => {
      this.flush();
      const room = limit - this.inFlight.size;
      // At the limit, a subscription with nothing in flight still gets one: the one that never
      // answers must not starve it, whatever the front door's flood lowered the limit to. A few
      // such extras in flight in all (a quarter of the limit, at least one), not a few a pass:
      // every Publish starts a pass, and a fan-out climbed to MAX_IN_FLIGHT (review20 R20-7,
      // review21 R21-1). Those started within the limit do not count: a hung subscriber's never do.
      const open = Math.max(room, 0);
      const extras = Math.max(0, Math.max(1, Math.floor(limit / 4)) - this.extras.size);
      const starvedRoom = open + Math.min(MAX_IN_FLIGHT - this.inFlight.size - open, extras);
      if (room <= 0 && starvedRoom <= 0) return; // a settling delivery wakes us
      const now = this.clock.now();
      const share = keyShare(limit);
      const busy = room > 0 ? [...this.inFlightBySub].flatMap(([arn, n]) => (n >= share ? [arn] : [])) : [...this.inFlightBySub.keys()];
      const fresh: DueDelivery[] = [];
      // What each subscription can give this pass: its deliveries in flight (still in the outbox,
      // the oldest, skipped below) and then its share's rest within the room, or at the limit one
      // for a subscription with none in flight.
      const upTo = (arn: string) => {
        const n = this.inFlightBySub.get(arn) ?? 0;
        const take = Math.max(room > 0 ? Math.min(room, share - n) : 0, n === 0 ? 1 : 0);
        return take > 0 ? n + take : 0;
      };
      for (const d of this.store.due(now, Math.max(room, starvedRoom) + this.inFlight.size, busy, upTo)) {
        const n = this.inFlightBySub.get(d.subscriptionArn) ?? 0;
        if (this.inFlight.has(d.id) || n >= share) continue;
        if (fresh.length >= room && (n > 0 || fresh.length >= starvedRoom)) continue;
        this.inFlightBySub.set(d.subscriptionArn, n + 1);
        fresh.push(d);
      }
      const work: Promise<void>[] = [];
      for (const [i, d] of fresh.entries()) {
        this.inFlight.add(d.id);
        if (i >= open) this.extras.add(d.id);
        work.push(this.attempt(d).finally(() => {
          this.inFlight.delete(d.id);
          this.extras.delete(d.id);
          const left = this.inFlightBySub.get(d.subscriptionArn)! - 1;
          if (left === 0) this.inFlightBySub.delete(d.subscriptionArn);
          else this.inFlightBySub.set(d.subscriptionArn, left);
          this.wake();
        }));
      }
      this.idle = Promise.allSettled([this.idle, ...work]).then(() => {});
      if (fresh.length === 0) {
        const next = this.store.nextDueAfter(now);
        if (next !== undefined) this.arm(next);
      }
    });
    if (this.priority?.flooded !== true) this.commits.flush();
  }

  private async attempt(d: DueDelivery): Promise<void> {
    const sub = this.subscription(d.subscriptionArn);
    if (sub === undefined) return void this.settled.push(d); // unsubscribed since: nothing to deliver to
    // The VirtualClock waits for the delivery (an HTTP answer is real work) before skipping time.
    const hold = this.clock.hold(`sns.delivery:${sub.arn}`);
    let outcome: Outcome;
    try {
      outcome = await this.send(d.message, sub);
    } finally {
      hold.release();
    }
    const attempt = d.attempts + 1;
    if (outcome.kind === "ok") {
      this.activity.report({ type: "sns.delivered", topicArn: d.message.TopicArn, subscriptionArn: sub.arn, endpoint: sub.endpoint, messageId: d.message.MessageId, attempt, requestId: outcome.requestId });
      return void this.settled.push(d);
    }
    // Failed while the simulator stops (perhaps because it stops): the row stays as it was, due
    // again at the next start, as after a SIGKILL; as the EventBridge worker does (target-delivery.ts).
    if (this.stopped) return;
    const policy = sub.protocol === "http" || sub.protocol === "https" ? httpRetryPolicy(sub.attributes.DeliveryPolicy, this.store.topic(sub.topicArn)?.attributes.DeliveryPolicy) : MANAGED_ENDPOINT_POLICY;
    const delay = outcome.kind === "retry" ? retryDelayMs(policy, attempt) : undefined;
    const base = { type: "sns.delivery-failed" as const, topicArn: d.message.TopicArn, subscriptionArn: sub.arn, endpoint: sub.endpoint, messageId: d.message.MessageId, attempt, error: outcome.error };
    if (delay !== undefined) {
      this.store.retryAt(d.id, this.clock.now() + delay);
      this.activity.report({ ...base, retryInMs: delay });
      return;
    }
    const dlq = deadLetterArn(sub);
    let deadLettered = false;
    if (dlq !== undefined) {
      try {
        await this.s.deliverToTarget(dlq, this.body(d.message, sub), d.message.MessageAttributes, fifoOptions(d.message));
        deadLettered = true;
      } catch {
        // The DLQ itself is unreachable: the message is dropped, as SNS does.
      }
    }
    this.activity.report({ ...base, deadLetterArn: deadLettered ? dlq : undefined, dropped: !deadLettered });
    this.settled.push(d);
  }

  private async send(m: StoredMessage, sub: SubscriptionRow): Promise<Outcome> {
    try {
      switch (sub.protocol) {
        case "lambda":
          // An asynchronous invocation (Lambda with SNS): the function's own retries, destinations and DLQ apply.
          const out = await this.s.invoker.invoke({ functionName: sub.endpoint, payload: Buffer.from(JSON.stringify(lambdaEvent(m, sub, this.env))), invocationType: "Event", traceHeader: m.TraceHeader });
          return { kind: "ok", requestId: out.kind === "accepted" ? out.requestId : undefined };
        case "sqs":
          await this.s.deliverToTarget(sub.endpoint, this.body(m, sub), raw(sub) ? m.MessageAttributes : undefined, deliveryOptions(m));
          return { kind: "ok" };
        default:
          return await this.post(sub, this.body(m, sub), "Notification", m.MessageId, raw(sub));
      }
    } catch (e) {
      // A missing function or queue (a 4xx AWS error) is the client side, not retried; throttles,
      // service faults and a failure with no AWS code (an unreachable target, a delivery-failure
      // fault) are the server side, retried, as the EventBridge worker classifies them (target-delivery.ts).
      if (isAwsError(e) && e.statusCode !== 429 && e.statusCode < 500) return { kind: "client-error", error: `${e.code}: ${e.message}` };
      return { kind: "retry", error: isAwsError(e) ? `${e.code}: ${e.message}` : String((e as Error).message ?? e) };
    }
  }

  /** The message as this subscriber gets it: the JSON envelope, or the bare message with RawMessageDelivery. */
  private body(m: StoredMessage, sub: SubscriptionRow): string {
    return raw(sub) ? messageFor(m, sub.protocol) : JSON.stringify(notificationEnvelope(m, sub, this.env));
  }

  /** An HTTP/HTTPS POST with SNS's headers (SNS HTTP/HTTPS headers); 2xx delivers, 5xx and 429 are retried. */
  private async post(sub: SubscriptionRow, body: string, type: string, messageId: string, rawDelivery: boolean): Promise<Outcome> {
    let res: Response;
    try {
      res = await fetch(sub.endpoint, {
        method: "POST",
        body,
        // The request is I/O in wall time, as a handler's run is: not scaled by the Clock.
        signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
        headers: {
          "content-type": "text/plain; charset=UTF-8",
          "x-amz-sns-message-type": type,
          "x-amz-sns-message-id": messageId,
          "x-amz-sns-topic-arn": sub.topicArn,
          ...(type === "SubscriptionConfirmation" ? {} : { "x-amz-sns-subscription-arn": sub.arn }),
          ...(rawDelivery ? { "x-amz-sns-rawdelivery": "true" } : {}),
          "user-agent": "Amazon Simple Notification Service Agent",
        },
      });
      await res.arrayBuffer();
    } catch (e) {
      return { kind: "retry", error: `the endpoint did not answer: ${(e as Error).message}` };
    }
    if (res.status >= 200 && res.status < 300) return { kind: "ok" };
    const error = `the endpoint answered ${res.status}`;
    return res.status >= 500 || res.status === 429 ? { kind: "retry", error } : { kind: "client-error", error };
  }
}

const raw = (sub: SubscriptionRow) => sub.attributes.RawMessageDelivery === "true";

function fifoOptions(m: StoredMessage) {
  return m.SequenceNumber === undefined ? undefined : { messageGroupId: m.MessageGroupId, messageDeduplicationId: m.MessageDeduplicationId };
}

/** A delivery to a queue: a FIFO topic's group and deduplication id, and the publisher's trace. */
function deliveryOptions(m: StoredMessage) {
  return m.TraceHeader === undefined ? fifoOptions(m) : { ...fifoOptions(m), traceHeader: m.TraceHeader };
}

/** The subscription's redrive DLQ (its RedrivePolicy's deadLetterTargetArn), if it has one. */
export function deadLetterArn(sub: SubscriptionRow): string | undefined {
  try {
    const arn = JSON.parse(sub.attributes.RedrivePolicy ?? "null")?.deadLetterTargetArn;
    return typeof arn === "string" ? arn : undefined;
  } catch {
    return undefined;
  }
}

/** A message id for the confirmation, stable per subscription. */
function cryptoId(token: string): string {
  const h = token.padEnd(32, "0");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
