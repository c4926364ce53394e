import { compactText } from "./compact-events.ts";
import type { SequencedEvent } from "./event-hub.ts";
import { ENVIRONMENT_STATES, type EnvironmentState, type TelemetryEvent, type TelemetryEventType } from "./events.ts";

/**
 * What one `/_sim/events` client asks for (`{"kind":"subscribe", ...}`): only these event types,
 * only events of these functions, and whether invocation events carry their payload and result
 * previews. A client that never subscribes gets everything, previews included.
 */
export interface HubSubscription {
  /** Event types wanted; absent: all. */
  types?: TelemetryEventType[];
  /** Event types not wanted (kinds added later still come, as `lambda-sim tail` wants). */
  excludeTypes?: TelemetryEventType[];
  /** Only events whose `functionName` is one of these (events of no function pass); absent: all. */
  functions?: string[];
  /**
   * `environment.state-changed` only into these states; absent: all. `lambda-sim tail` leaves out
   * the busy/idle flip of every warm invocation (two events each) and keeps births and retirements.
   */
  states?: EnvironmentState[];
  /**
   * false: `invocation.started` without `payload` and `invocation.finished` without `result`
   * (fetch them with `GET /_sim/invocations/{requestId}` when shown). Default true.
   */
  previews?: boolean;
  /** false: `invocation.started` of cold starts only (`lambda-sim tail` has no line for a warm one). Default true. */
  warmStarts?: boolean;
  /**
   * true: within one `events` frame, what a later event of the frame hides from a client that
   * applies the frame whole before drawing (the dashboard) is left out: an environment's busy/idle
   * changes before its last, and the start of a warm invocation that finished in the same frame
   * (its `invocation.finished` carries the rest). Births, resets, retirements and cold starts
   * always come. Default false: every event.
   */
  coalesce?: boolean;
  /**
   * true: the high-rate events come as arrays (compact-events.ts: COMPACT_FIELDS, sent in a
   * `compact` frame first), a third fewer bytes and half the parsing. Default false: objects.
   */
  compact?: boolean;
  /**
   * true (with `coalesce`, and `previews: false`): a frame with more than SUMMARIZE_ABOVE routine invocations (warm
   * successes started and finished in it) sends the newest few of each environment in full and
   * the rest as one `invocations.summarized` item: their count and billed time per environment
   * (invocation-summary.ts). The dashboard's work then follows its frames, not the invocation
   * rate. Default false: every invocation.
   */
  summarize?: boolean;
  /**
   * At most one `events` frame this often (wall ms, up to MAX_INTERVAL_MS), holding all since the
   * last: the dashboard asks for 500 once it redraws only once a second, and a frame's fixed cost
   * (a wake-up of the browser's network, IPC and page) is paid 2 times a second instead of 20.
   * Default: the hub's own cadence (FLUSH_EVERY_MS in event-hub.ts).
   */
  intervalMs?: number;
}

/** Our choice: the longest a client may ask to wait between frames (what the hub then holds for it). */
export const MAX_INTERVAL_MS = 1000;

/** A subscription ready to test events against, with the key clients that share one frame have in common. */
export interface CompiledSubscription {
  key: string;
  previews: boolean;
  coalesce: boolean;
  compact: boolean;
  summarize: boolean;
  /** 0: every turn of the hub. Not in `key`: a frame's text depends on what it holds, not on how often it is sent. */
  intervalMs: number;
  matches(e: TelemetryEvent): boolean;
}

/** Everything, with previews: a client that has not subscribed. */
export const EVERYTHING: CompiledSubscription = { key: "*", previews: true, coalesce: false, compact: false, summarize: false, intervalMs: 0, matches: () => true };

/** Checks a client's message; undefined when it is not a subscription a hub can hold. */
export function compileSubscription(msg: unknown): CompiledSubscription | undefined {
  if (typeof msg !== "object" || msg === null) return undefined;
  const m = msg as Record<string, unknown>;
  const strings = (v: unknown): string[] | undefined | false =>
    v === undefined ? undefined : Array.isArray(v) && v.length <= 1000 && v.every((x) => typeof x === "string") ? [...new Set(v as string[])].sort() : false;
  const types = strings(m.types);
  const excludeTypes = strings(m.excludeTypes);
  const functions = strings(m.functions);
  const states = strings(m.states);
  if (states && !states.every((x) => (ENVIRONMENT_STATES as readonly string[]).includes(x))) return undefined;
  if (types === false || excludeTypes === false || functions === false || states === false || !optionalBoolean(m.previews) || !optionalBoolean(m.warmStarts) || !optionalBoolean(m.coalesce) || !optionalBoolean(m.compact) || !optionalBoolean(m.summarize)) return undefined;
  const intervalMs = m.intervalMs === undefined ? 0 : m.intervalMs;
  if (typeof intervalMs !== "number" || !Number.isInteger(intervalMs) || intervalMs < 0 || intervalMs > MAX_INTERVAL_MS) return undefined;
  const previews = m.previews !== false;
  const warmStarts = m.warmStarts !== false;
  const coalesce = m.coalesce === true;
  const compact = m.compact === true;
  const summarize = m.summarize === true;
  // A summary stands for invocations whose start the frame left out: only a coalescing client's
  // without previews (one with previews is sent every start, for its payload).
  if (summarize && (!coalesce || previews)) return undefined;
  const typeSet = types && new Set<string>(types);
  const excluded = excludeTypes && new Set<string>(excludeTypes);
  const fnSet = functions && new Set(functions);
  const stateSet = states && new Set<string>(states);
  return {
    key: JSON.stringify([types ?? null, excludeTypes ?? null, functions ?? null, states ?? null, previews, warmStarts, coalesce, compact, summarize]),
    previews,
    coalesce,
    compact,
    summarize,
    intervalMs,
    matches: (e) => {
      if (typeSet && !typeSet.has(e.type)) return false;
      if (excluded?.has(e.type)) return false;
      if (!warmStarts && e.type === "invocation.started" && !e.coldStart) return false;
      if (stateSet && e.type === "environment.state-changed" && !stateSet.has(e.to)) return false;
      if (fnSet) {
        const fn = (e as { functionName?: unknown }).functionName;
        if (typeof fn === "string" && !fnSet.has(fn)) return false;
      }
      return true;
    },
  };
}

const optionalBoolean = (v: unknown) => v === undefined || typeof v === "boolean";

/** busy ⇄ idle: the two changes every warm invocation makes. */
function isFlip(e: TelemetryEvent): boolean {
  return e.type === "environment.state-changed" && (e.to === "busy" || e.to === "idle");
}

/**
 * What a `coalesce` subscriber is not sent of a batch of the events it takes: each busy/idle
 * change that a later one of the same environment follows with no other change of that
 * environment between them, and each warm `invocation.started` whose `invocation.finished` is in
 * the batch. Only events the subscriber is sent hide others: a client that takes `idle` but not
 * `busy` (or starts but not finishes) still learns of every change it asked for.
 */
export function supersededInFrame(batch: readonly TelemetryEvent[]): Set<TelemetryEvent> {
  const out = new Set<TelemetryEvent>();
  const flipFollows = new Set<string>();
  const finished = new Set<string>();
  for (let i = batch.length - 1; i >= 0; i--) {
    const e = batch[i]!;
    if (e.type === "invocation.finished") finished.add(e.requestId);
    else if (e.type === "invocation.started") {
      if (!e.coldStart && finished.has(e.requestId)) out.add(e);
    } else if (e.type === "environment.state-changed") {
      if (!isFlip(e)) flipFollows.delete(e.environmentId);
      else if (flipFollows.has(e.environmentId)) out.add(e);
      else flipFollows.add(e.environmentId);
    }
  }
  return out;
}

/**
 * An event's texts, on the event itself, by form: (full or no previews to leave out: 1, lean: 0)
 * + (compact: 2). An event is written once for every client that takes that form, in whichever
 * frames (a client on a longer interval gets it later), and its texts go with it. A hidden
 * property (a symbol, not enumerable: no spread, JSON text or comparison sees it), not weak maps:
 * their lookups and collection were about half of what the hub's work for tail and the page
 * fell by, a quarter in all, with each client holding its own events (hub-client.ts).
 */
const TEXTS = Symbol("texts");

/**
 * An event's JSON text, made once per event for every client of a flush: as emitted, or `lean`
 * without the previews (the same text for events that carry none), each as an object or in the
 * compact form (compact-events.ts).
 */
export class EventTexts {
  text(e: SequencedEvent, previews: boolean, compact = false): string {
    const full = previews || !hasPreview(e);
    const form = (full ? 1 : 0) + (compact ? 2 : 0);
    const cache = textsOf(e);
    let t = cache[form];
    if (t === undefined) {
      if (compact) t = compactText(e, full) ?? this.text(e, full);
      else if (full) t = JSON.stringify(e);
      else {
        const { payload: _p, result: _r, ...rest } = e as TelemetryEvent & { payload?: string; result?: string };
        t = JSON.stringify(rest);
      }
      cache[form] = t;
    }
    return t;
  }
}

/** The texts `e` has for its seq: an object emitted again (with a new seq, in another hub) is written again. */
function textsOf(e: SequencedEvent): (string | undefined)[] {
  const held = e as unknown as { [TEXTS]?: { seq: number; texts: (string | undefined)[] } };
  let kept = held[TEXTS];
  if (kept === undefined) {
    kept = { seq: e.seq, texts: [] };
    Object.defineProperty(e, TEXTS, { value: kept });
  } else if (kept.seq !== e.seq) {
    kept.seq = e.seq;
    kept.texts = [];
  }
  return kept.texts;
}

function hasPreview(e: TelemetryEvent): boolean {
  return (e.type === "invocation.started" || e.type === "invocation.finished") && ("payload" in e || "result" in e);
}
