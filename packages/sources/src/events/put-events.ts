import { AwsError, type Clock, type GroupCommit, type RandomStream } from "@lambda-sim/core";
import type { EventStore, NewDelivery } from "./event-store.ts";
import { targetInput } from "./input-transformer.ts";
import type { RuleIndex } from "./rule-index.ts";

/**
 * PutEvents takes 1-10 entries (the model's check) totalling at most 1 MB, 1,048,576 bytes included
 * (256 KB until AWS raised it: What's New 2026-01, "Amazon EventBridge increases event payload size
 * from 256 KB to 1 MB"; the boundary as measured against AWS in a public lab write-up).
 */
export const MAX_PUT_EVENTS_BYTES = 1024 * 1024;

export interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  Resources?: string[];
  /** Epoch seconds as the JSON protocol sends it, or ISO-8601 text. */
  Time?: string | number;
  EventBusName?: string;
  TraceHeader?: string;
}

type EntryResult = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

interface Services {
  clock: Clock;
  ids: RandomStream;
  store: EventStore;
  /** PutEvents calls that arrive together share one SQLite transaction; each answers after it commits. */
  commits: GroupCommit;
  rules: RuleIndex;
  region: string;
  accountId: string;
  /** The bus name of a name or ARN, or undefined when no such bus exists. */
  busOf: (nameOrArn: string | undefined) => string | undefined;
  /** Wakes the delivery worker after new deliveries are stored. */
  delivered: () => void;
  /** Told of the accepted events, once their deliveries are durable. */
  routed: (events: readonly RoutedEvent[]) => void;
}

/** An event a bus accepted, with the ARNs of the rules it matched. */
export interface RoutedEvent {
  bus: string;
  event: Record<string, unknown>;
  rules: string[];
}

/**
 * PutEvents: each entry becomes an EventBridge event, is matched against its bus's rules, and one
 * delivery per matched target is stored in one transaction before the call answers. A bad entry
 * fails alone, with an entry-level error, as AWS reports them.
 */
export async function putEvents(s: Services, entries: PutEventsEntry[]): Promise<{ FailedEntryCount: number; Entries: EntryResult[] }> {
  // AWS counts the UTF-8 bytes of Source, DetailType, Detail and each Resource, plus 14 for a Time
  // (user guide "Calculating PutEvents event entry size").
  const size = entries.reduce((n, e) => n + entrySize(e), 0);
  if (size > MAX_PUT_EVENTS_BYTES) throw new AwsError("ValidationException", 400, "Total size of the entries in the request is over the limit.", { messageKey: "message" });
  const now = s.clock.now();
  const deliveries: NewDelivery[] = [];
  const routed: RoutedEvent[] = [];
  const results = entries.map((entry): EntryResult => {
    const failure = entryProblem(entry);
    if (failure !== undefined) return failure;
    const bus = s.busOf(entry.EventBusName);
    if (bus === undefined) return { ErrorCode: "ResourceNotFoundException", ErrorMessage: `Event bus ${entry.EventBusName} does not exist.` };
    const event = {
      version: "0",
      id: s.ids.uuid(),
      "detail-type": entry.DetailType!,
      source: entry.Source!,
      account: s.accountId,
      time: isoSecond(entry.Time === undefined ? now : typeof entry.Time === "number" ? entry.Time * 1000 : Date.parse(entry.Time)),
      region: s.region,
      resources: entry.Resources ?? [],
      detail: JSON.parse(entry.Detail!) as unknown,
    };
    routed.push({ bus, event, rules: route(s, bus, event, now, deliveries) });
    return { EventId: event.id };
  });
  if (deliveries.length > 0) {
    await s.commits.write(() => s.store.addDeliveries(deliveries, now));
    s.delivered();
  }
  if (routed.length > 0) s.routed(routed);
  const failed = results.filter((r) => "ErrorCode" in r).length;
  return { FailedEntryCount: failed, Entries: results };
}

/** Matches one event against `bus`'s rules and queues a delivery for each target of each match; returns the matched rules' ARNs. */
export function route(s: Pick<Services, "rules">, bus: string, event: Record<string, unknown>, now: number, into: NewDelivery[]): string[] {
  const matched = s.rules.matching(bus, event);
  if (matched.length === 0) return [];
  const text = JSON.stringify(event);
  for (const r of matched) {
    for (const target of r.rule.def.Targets) {
      into.push({ ruleArn: r.arn, target, body: targetInput(target, { event, ruleName: r.rule.name, ruleArn: r.arn, ingestedAt: now }), event: text });
    }
  }
  return matched.map((r) => r.arn);
}

/** AWS's entry-level refusals (texts as the EventBridge API answers them; unconfirmed ones noted). */
function entryProblem(e: PutEventsEntry): EntryResult | undefined {
  const missing = (name: string) => ({ ErrorCode: "InvalidArgument", ErrorMessage: `Parameter ${name} is not valid. Reason: ${name} is a required argument.` });
  if (e.Source === undefined || e.Source === "") return missing("Source");
  if (e.DetailType === undefined || e.DetailType === "") return missing("DetailType");
  if (e.Detail === undefined || e.Detail === "") return missing("Detail");
  let detail: unknown;
  try {
    detail = JSON.parse(e.Detail);
  } catch {
    return { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." };
  }
  if (typeof detail !== "object" || detail === null || Array.isArray(detail)) return { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." };
  // Sources under aws. are AWS services' own.
  if (e.Source.startsWith("aws.")) return { ErrorCode: "NotAuthorizedForSourceException", ErrorMessage: "Not authorized for the source." };
  return undefined;
}

function entrySize(e: PutEventsEntry): number {
  let n = e.Time === undefined ? 0 : 14;
  for (const v of [e.Source, e.DetailType, e.Detail, ...(e.Resources ?? [])]) if (typeof v === "string") n += Buffer.byteLength(v);
  return n;
}

/** EventBridge's `time`: whole seconds, UTC, `2026-01-01T00:00:00Z`. */
export function isoSecond(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}
