import type { TelemetryEvent } from "@lambda-sim/core";

/** Our bound: events of invocations kept (a sync invocation has 2 the page uses, an async attempt up to 5): at least the page's 240-300 rows. */
export const KEEP_INVOCATION_EVENTS = 1200;
/** Our bound: DLQ moves kept, as many as the page's "Moved to a dead-letter queue" list keeps (model.js). */
export const KEEP_DLQ_MOVES = 20;
/**
 * Our bound: each live environment's last finished invocations (the page keeps 24 a lane, model.js
 * KEEP_CHIPS; at 1280 px a lane shows about 5): the rest of a lane's chips come with the invocations above.
 */
export const KEEP_CHIPS = 12;
/** Our bound: environments whose chips are kept apart (the account's 1,000 would each hold a dozen events): the newest. */
export const KEEP_CHIP_ENVIRONMENTS = 200;

/** The events that make the invocation list and the stories' rows (model.js, invocation-rows.js, async-model.js). */
const INVOCATION_TYPES: ReadonlySet<string> = new Set([
  "invocation.started", "invocation.finished", "http.integration-failed", "schedule.delivered", "sns.delivered", "events.delivered",
  "async.enqueued", "async.attempt.started", "async.attempt.failed", "async.retry.scheduled", "async.given-up", "async.delivered", "async.delivery-failed",
]);

/** A fixed-size ring of events, oldest overwritten: O(1) a note. */
class Ring {
  private readonly items: TelemetryEvent[] = [];
  private at = 0;
  private readonly size: number;
  constructor(size: number) {
    this.size = size;
  }
  push(e: TelemetryEvent): void {
    if (this.items.length < this.size) this.items.push(e);
    else {
      this.items[this.at] = e;
      this.at = (this.at + 1) % this.size;
    }
  }
  values(): TelemetryEvent[] {
    return [...this.items.slice(this.at), ...this.items.slice(0, this.at)];
  }
}

/**
 * What a reloaded page needs to show what it showed before (newuser14 F10), kept by kind: the
 * snapshot's `recent` is the last 300 events of any kind, and a busy clock's housekeeping or a
 * stream's batches use it up long before the invocation list's rows. Kept since the start (the
 * events of starting too, so a page lists the DLQ moves a start made: newuser14 F20):
 * - the events of the last invocations (KEEP_INVOCATION_EVENTS);
 * - the last KEEP_DLQ_MOVES `message.moved-to-dlq`;
 * - each live environment's last KEEP_CHIPS `invocation.finished` (its lane's chips; the newest
 *   KEEP_CHIP_ENVIRONMENTS environments), dropped when it retires (the snapshot lists live ones only).
 * Each event costs a set lookup and a ring write (the same objects the hub numbers: nothing is
 * copied); the previews are left out when the view is read, not when an event comes. Memory: at
 * most 1,200 + 20 + 200 × 12 = 3,620 events, each under 1 KB plus its payload or result preview
 * (PREVIEW_BYTES, 2 KB): a few hundred KB with small payloads, 10 MB at worst; nothing before the
 * first event (an idle simulator's RSS is unchanged).
 */
export class PageBacklog {
  private readonly invocations = new Ring(KEEP_INVOCATION_EVENTS);
  private readonly dlqMoves = new Ring(KEEP_DLQ_MOVES);
  private readonly chips = new Map<string, TelemetryEvent[]>();

  note(e: TelemetryEvent): void {
    if (INVOCATION_TYPES.has(e.type)) this.invocations.push(e);
    if (e.type === "invocation.finished" && e.environmentId !== undefined) {
      let lane = this.chips.get(e.environmentId);
      if (lane === undefined) {
        this.chips.set(e.environmentId, (lane = []));
        // A Map iterates in insertion order: the first is the environment whose first chip is oldest.
        if (this.chips.size > KEEP_CHIP_ENVIRONMENTS) this.chips.delete(this.chips.keys().next().value!);
      }
      lane.push(e);
      if (lane.length > KEEP_CHIPS) lane.shift();
    } else if (e.type === "message.moved-to-dlq") this.dlqMoves.push(e);
    else if (e.type === "environment.state-changed" && e.to === "retired") this.chips.delete(e.environmentId);
  }

  /**
   * The events kept, each once, in the order they came (by `seq`; events from before the hub
   * numbered any have none and come first), without payload and result previews (the page fetches
   * those when an invocation is opened).
   */
  events(): TelemetryEvent[] {
    const all = new Set<TelemetryEvent>([...this.invocations.values(), ...this.dlqMoves.values()]);
    for (const lane of this.chips.values()) for (const e of lane) all.add(e);
    const seqOf = (e: TelemetryEvent) => (e as { seq?: number }).seq ?? 0;
    return [...all].sort((a, b) => seqOf(a) - seqOf(b)).map(lean);
  }
}

/** The event without its payload or result preview (a copy; the kept event is not changed). */
function lean(e: TelemetryEvent): TelemetryEvent {
  if (!("payload" in e) && !("result" in e)) return e;
  const { payload: _p, result: _r, ...rest } = e as TelemetryEvent & { payload?: string; result?: string };
  return rest as TelemetryEvent;
}
