import { listPage, type Operation } from "@lambda-sim/core";
import { compileFilterPattern, FilterPatternError } from "./filter-pattern.ts";
import { logsErrors } from "./logs-errors.ts";
import type { LogEventRow, LogStore, LogStreamRow } from "./log-store.ts";

/** GetLogEvents/FilterLogEvents answer at most 10,000 events or 1 MB (API reference, `limit`). */
const MAX_EVENTS = 10_000;
const MAX_BYTES = 1_048_576;
/** DescribeLogGroups/DescribeLogStreams: `limit` 1-50, "the default is up to 50 items" (API reference). */
const MAX_DESCRIBE = 50;
/** FilterLogEvents reads this many events per call before answering with a nextToken (chosen). */
const FILTER_SCAN = 50_000;

/**
 * The read side of CloudWatch Logs that the console, `aws logs tail` and the SDKs use (the
 * groups' management: log-group-operations.ts). Tokens are AWS-shaped (`f/`, `b/` and 56
 * digits) and carry the position in the store's ingestion order.
 */
export function logOperations(store: LogStore, region: string, accountId: string): Record<string, Operation> {
  const arn = (group: string) => `arn:aws:logs:${region}:${accountId}:log-group:${group}`;
  /** `logGroupIdentifier` may be a name or an ARN (ending in `:*` or not). */
  const groupOf = (i: Record<string, any>): string => {
    const id: string | undefined = i.logGroupIdentifier;
    if (i.logGroupName !== undefined && id !== undefined) throw logsErrors.invalidParameter("LogGroupName and LogGroupIdentifier are mutually exclusive parameters.");
    const name = i.logGroupName ?? (id?.startsWith("arn:") ? id.replace(/^arn:[^:]+:logs:[^:]*:\d*:log-group:/, "").replace(/:\*$/, "") : id);
    if (name === undefined) throw logsErrors.invalidParameter("Either LogGroupName or LogGroupIdentifier must be provided.");
    if (store.group(name) === undefined) throw logsErrors.groupNotFound();
    return name;
  };
  const streamOut = (group: string, s: LogStreamRow) => ({
    logStreamName: s.name,
    creationTime: s.created_at,
    firstEventTimestamp: s.first_event_at ?? undefined,
    lastEventTimestamp: s.last_event_at ?? undefined,
    lastIngestionTime: s.last_ingestion_at ?? undefined,
    uploadSequenceToken: "0",
    arn: `${arn(group)}:log-stream:${s.name}`,
    storedBytes: 0,
  });
  const eventOut = (e: LogEventRow) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.ingested_at });

  return {
    DescribeLogGroups: (i) => {
      const prefix: string | undefined = i.logGroupNamePrefix;
      const pattern: string | undefined = i.logGroupNamePattern;
      if (prefix !== undefined && pattern !== undefined) throw logsErrors.invalidParameter("LogGroupNamePrefix and LogGroupNamePattern are mutually exclusive parameters.");
      const rows = store.groups(prefix ?? "").filter((g) => (prefix === undefined || g.name.startsWith(prefix)) && (pattern === undefined || g.name.toLowerCase().includes(pattern.toLowerCase())));
      // "ASCII-sorted by log group name" (API reference), `limit` at a time (1-50, the model's check).
      const page = listPage(rows, { listing: "DescribeLogGroups", position: (g) => [g.name], count: i.limit ?? MAX_DESCRIBE, token: i.nextToken, invalidToken: logsErrors.invalidToken });
      return {
        logGroups: page.items.map((g) => ({
          logGroupName: g.name,
          creationTime: g.created_at,
          retentionInDays: g.retention_in_days ?? undefined,
          metricFilterCount: 0,
          arn: `${arn(g.name)}:*`,
          logGroupArn: arn(g.name),
          storedBytes: g.stored_bytes,
          logGroupClass: g.log_group_class,
          kmsKeyId: g.kms_key_id ?? undefined,
          deletionProtectionEnabled: g.deletion_protection === 1,
        })),
        nextToken: page.next,
      };
    },

    DescribeLogStreams: (i) => {
      const group = groupOf(i);
      const orderBy: string = i.orderBy ?? "LogStreamName";
      const prefix: string | undefined = i.logStreamNamePrefix;
      if (orderBy === "LastEventTime" && prefix !== undefined) throw logsErrors.invalidParameter("Cannot order by LastEventTime with a logStreamNamePrefix.");
      const rows = store.streams(group).filter((s) => prefix === undefined || s.name.startsWith(prefix));
      const descending = i.descending === true;
      const byTime = orderBy === "LastEventTime";
      // The token names the last stream returned in this order. Ordered by LastEventTime, a stream
      // written to while paging moves (listed twice, or not at all); AWS documents nothing here.
      const page = listPage(rows, {
        listing: `DescribeLogStreams ${group} ${orderBy}${descending ? " descending" : ""}`,
        position: (s) => (byTime ? [s.last_event_at ?? 0, s.name] : [s.name]),
        count: i.limit ?? MAX_DESCRIBE,
        token: i.nextToken,
        invalidToken: logsErrors.invalidToken,
        descending,
      });
      return { logStreams: page.items.map((s) => streamOut(group, s)), nextToken: page.next };
    },

    GetLogEvents: (i) => {
      const group = groupOf(i);
      if (store.stream(group, i.logStreamName) === undefined) throw logsErrors.streamNotFound();
      const limit = Math.min(i.limit ?? MAX_EVENTS, MAX_EVENTS);
      const token = i.nextToken === undefined ? undefined : parseToken(i.nextToken);
      const range = { startTime: i.startTime, endTime: i.endTime };
      // Without a token: the newest events, unless startFromHead (API reference).
      const backward = token === undefined ? i.startFromHead !== true : token.dir === "b";
      const rows = store.events(
        group,
        [i.logStreamName],
        { ...range, afterSeq: token?.dir === "f" ? token.seq : undefined, beforeSeq: token?.dir === "b" ? token.seq : undefined },
        limit,
        backward,
      );
      const page = capBytes(backward ? rows.reverse() : rows, backward);
      // At either end the token given is answered again: `aws logs` stops when it repeats.
      const first = page[0]?.seq;
      const last = page[page.length - 1]?.seq;
      return {
        events: page.map(eventOut),
        nextForwardToken: last !== undefined ? token_("f", last) : token?.dir === "f" ? i.nextToken : token_("f", token?.seq ?? 0),
        nextBackwardToken: first !== undefined ? token_("b", first) : token?.dir === "b" ? i.nextToken : token_("b", token?.seq ?? 0),
      };
    },

    FilterLogEvents: (i) => {
      const group = groupOf(i);
      if (i.logStreamNames !== undefined && i.logStreamNamePrefix !== undefined) throw logsErrors.invalidParameter("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.");
      let matcher: (m: string) => boolean;
      try {
        matcher = compileFilterPattern(i.filterPattern);
      } catch (e) {
        if (e instanceof FilterPatternError) throw logsErrors.invalidParameter(`Invalid filter pattern: ${e.message}`);
        throw e;
      }
      const streams: string[] | undefined =
        i.logStreamNames ?? (i.logStreamNamePrefix === undefined ? undefined : store.streams(group).map((s) => s.name).filter((n) => n.startsWith(i.logStreamNamePrefix)));
      const limit = Math.min(i.limit ?? MAX_EVENTS, MAX_EVENTS);
      const after = i.nextToken === undefined ? undefined : Number(decodeName(i.nextToken));
      if (after !== undefined && !Number.isInteger(after)) throw logsErrors.invalidToken();
      const scanned = streams?.length === 0 ? [] : store.events(group, streams, { startTime: i.startTime, endTime: i.endTime, afterSeq: after }, FILTER_SCAN);
      const events: LogEventRow[] = [];
      let bytes = 0;
      let stoppedAt: number | undefined;
      for (const e of scanned) {
        if (!matcher(e.message)) continue;
        bytes += e.message.length + 26;
        if (events.length >= limit || bytes > MAX_BYTES) {
          stoppedAt = events[events.length - 1]?.seq ?? e.seq - 1;
          break;
        }
        events.push(e);
      }
      if (stoppedAt === undefined && scanned.length === FILTER_SCAN) stoppedAt = scanned[scanned.length - 1]!.seq;
      return {
        events: events.map((e) => ({ logStreamName: e.stream, ...eventOut(e), eventId: String(e.seq).padStart(56, "0") })),
        searchedLogStreams: [],
        nextToken: stoppedAt === undefined ? undefined : encodeName(String(stoppedAt)),
      };
    },

  };
}

/** At most 1 MB per answer: the newest events kept when reading backwards, the oldest otherwise. */
function capBytes(rows: LogEventRow[], keepNewest: boolean): LogEventRow[] {
  let bytes = 0;
  const ordered = keepNewest ? [...rows].reverse() : rows;
  const out: LogEventRow[] = [];
  for (const r of ordered) {
    bytes += r.message.length + 26;
    if (bytes > MAX_BYTES) break;
    out.push(r);
  }
  return keepNewest ? out.reverse() : out;
}

/** GetLogEvents tokens as AWS shapes them: `f/` or `b/` then 56 digits. */
function token_(dir: "f" | "b", seq: number): string {
  return `${dir}/${String(seq).padStart(56, "0")}`;
}

function parseToken(t: string): { dir: "f" | "b"; seq: number } {
  const m = /^([fb])\/(\d{1,56})$/.exec(t);
  if (m === null) throw logsErrors.invalidToken();
  return { dir: m[1] as "f" | "b", seq: Number(m[2]) };
}

/** Other pagination tokens: opaque to callers. */
function encodeName(s: string): string {
  return Buffer.from(s, "utf8").toString("base64url");
}

function decodeName(t: string | undefined): string | undefined {
  return t === undefined ? undefined : Buffer.from(t, "base64url").toString("utf8");
}
