import type { Clock, Simulator } from "@lambda-sim/core";
import { signedHeaders } from "../client/request-signer.ts";
import type { TrafficStep } from "./scenario-schema.ts";
import type { HttpTraffic } from "./http-traffic.ts";

/** A scenario's simulator runs without --auth: any keys sign its query-protocol calls. */
const SCENARIO_KEYS = { accessKeyId: "scenario", secretAccessKey: "scenario" };

/**
 * A traffic step as loaded: `target` is the queue, stream, topic ARN, bus or function
 * (`NAME[:QUALIFIER]`) it names, as the simulator knows it (scenario-names.ts); the step keeps the
 * name written, for the report.
 */
export type ResolvedStep = (Exclude<TrafficStep, { wait: number }> & { target: string }) | Extract<TrafficStep, { wait: number }>;

/** What a traffic step does at one instant: send its items `from` up to (not including) `to`. */
interface Shot {
  at: number;
  step: Exclude<ResolvedStep, { wait: number }>;
  from: number;
  to: number;
}

/** Counts of what the traffic sent, for the report. */
export interface TrafficSent {
  messages: Record<string, number>;
  records: Record<string, number>;
  invocations: Record<string, number>;
  /** SNS messages published, by topic. */
  published: Record<string, number>;
  /** EventBridge events put, by bus. */
  events: Record<string, number>;
  /** HTTP requests the server took, by step label (httpLabel). */
  requests: Record<string, number>;
  failures: string[];
}

/**
 * Plays a scenario's traffic on the clock, from `start`: every item at its offset, through the
 * simulator's own AWS endpoint (SendMessageBatch, PutRecords, PublishBatch, PutEvents on the wire) or, for async invokes,
 * the Invoker directly (100,000 of them would otherwise be 100,000 HTTP requests). Items due at
 * the same instant go together, up to the API's batch limits. One timer is pending at a time, and
 * each shot is awaited by the clock before it moves on, so the order is the same on every run.
 *
 * An invoke burst is one shot: the VirtualClock fires no other timer while a real handler holds
 * it, so events sent one timer each would each wait for the previous one's whole run, and a
 * reserved concurrency would never throttle (newuser2 N2). In one shot every event is accepted
 * (202) at the burst's instant, and their runs overlap as the async queue and the function's
 * concurrency allow.
 */
export function playTraffic(sim: Simulator, clock: Clock, start: number, endAt: number, steps: readonly ResolvedStep[], http?: HttpTraffic, afterShot?: () => void): TrafficSent {
  const sent: TrafficSent = { messages: {}, records: {}, invocations: {}, published: {}, events: {}, requests: {}, failures: [] };
  const shots = plan(steps, start).filter((s) => s.at <= endAt);
  let i = 0;
  const next = () => {
    const shot = shots[i++];
    if (shot === undefined) return;
    clock.setTimer(shot.at - clock.now(), async () => {
      await fire(sim, shot, sent, http).catch((e: unknown) => sent.failures.push(`${describe(shot)}: ${(e as Error).message}`));
      afterShot?.();
      next();
    }, "scenario.traffic");
  };
  next();
  return sent;
}

const BATCH_BYTES = 256 * 1024;

/**
 * When each step begins, from `start` (0: its offset into the scenario), as plan() places it:
 * `at:`, or after the steps and waits before it; undefined for a wait.
 */
export function stepStarts(steps: readonly TrafficStep[], start = 0): (number | undefined)[] {
  let cursor = start;
  return steps.map((step) => {
    if ("wait" in step) {
      cursor += step.wait;
      return undefined;
    }
    if (step.at !== undefined) cursor = start + step.at;
    const startsAt = cursor;
    const body = stepBody(step);
    cursor += body.rate === undefined ? 0 : body.count * (1000 / body.rate);
    return startsAt;
  });
}

/** Offsets of every item, grouped by instant and batch limit (10 messages, 500 records, 10 SNS messages or events). */
function plan(steps: readonly ResolvedStep[], start: number): Shot[] {
  const shots: Shot[] = [];
  // Computed as plan() always did, from `start`: the same instants, to the millisecond, run after run.
  const starts = stepStarts(steps, start);
  for (const [i, step] of steps.entries()) {
    if ("wait" in step) continue;
    const cursor = starts[i]!;
    const body = stepBody(step);
    // PublishBatch and PutEvents take 10 entries (SNS and EventBridge API references). Invokes
    // have no batch API: a burst's events all go in the one shot of their instant.
    const limit = "put" in step ? 500 : "invoke" in step || "http" in step ? Number.POSITIVE_INFINITY : 10;
    // Their entries also total at most 256 KiB a call (SNS PublishBatch, EventBridge PutEvents):
    // big messages go fewer to a batch rather than the whole batch being refused.
    const size = "publish" in step ? (i: number) => Buffer.byteLength(fill(step.publish.message, i)) : "putEvents" in step ? (i: number) => Buffer.byteLength(fill(step.putEvents.detail, i)) : undefined;
    const gap = body.rate === undefined ? 0 : 1000 / body.rate;
    let from = 0;
    while (from < body.count) {
      const at = Math.floor(cursor + from * gap);
      let to = from + 1;
      let bytes = size?.(from) ?? 0;
      const fits = (i: number) => size === undefined || (bytes += size(i)) <= BATCH_BYTES;
      while (to < body.count && to - from < limit && Math.floor(cursor + to * gap) === at && fits(to)) to++;
      shots.push({ at, step, from, to });
      from = to;
    }
  }
  return shots.sort((a, b) => a.at - b.at);
}

/** Sends one shot, to the names the simulator knows (`step.target`); counted under the names written. */
async function fire(sim: Simulator, shot: Shot, sent: TrafficSent, http: HttpTraffic | undefined): Promise<void> {
  const { step, from, to } = shot;
  const indexes = Array.from({ length: to - from }, (_, k) => from + k);
  if ("send" in step) {
    const s = step.send;
    const out = await awsJson(sim.endpoint, "AmazonSQS.SendMessageBatch", "1.0", {
      QueueUrl: `${sim.endpoint}/000000000000/${step.target}`,
      Entries: indexes.map((i) => sqsEntry(s, i)),
    });
    if (Array.isArray(out.Failed) && out.Failed.length > 0) throw new Error(JSON.stringify(out.Failed[0]));
    sent.messages[s.queue] = (sent.messages[s.queue] ?? 0) + indexes.length;
  } else if ("put" in step) {
    const p = step.put;
    await awsJson(sim.endpoint, "Kinesis_20131202.PutRecords", "1.1", {
      StreamName: step.target,
      Records: indexes.map((i) => ({
        PartitionKey: p.partitionKeys[i % p.partitionKeys.length]!,
        Data: Buffer.from(fill(p.poison.includes(i) ? p.poisonData : p.data, i, p.partitionKeys[i % p.partitionKeys.length])).toString("base64"),
      })),
    });
    sent.records[p.stream] = (sent.records[p.stream] ?? 0) + indexes.length;
  } else if ("publish" in step) {
    const p = step.publish;
    const entries = indexes.map((i) => ({ Id: String(i), Message: fill(p.message, i), Subject: p.subject, MessageAttributes: snsAttributes(p.attributes) }));
    // Signed in the topic's region (its ARN's), as an SDK configured for it signs.
    const xml = await awsQuery(sim.endpoint, "PublishBatch", { TopicArn: step.target, PublishBatchRequestEntries: entries }, step.target.split(":")[3]);
    const failedMembers = /<Failed>([\s\S]*?)<\/Failed>/.exec(xml)?.[1]?.match(/<member>/g)?.length ?? 0;
    // What SNS accepted is delivered and counted, even when some entries of the batch were refused.
    sent.published[p.topic] = (sent.published[p.topic] ?? 0) + indexes.length - failedMembers;
    const failed = /<Failed>\s*<member>[\s\S]*?<Code>([^<]*)<\/Code>[\s\S]*?<Message>([^<]*)<\/Message>/.exec(xml);
    if (failed !== null) throw new Error(`${failedMembers} of ${indexes.length} refused: ${failed[1]}: ${unxml(failed[2]!)}`);
  } else if ("putEvents" in step) {
    const e = step.putEvents;
    const out = await awsJson(sim.endpoint, "AWSEvents.PutEvents", "1.1", {
      Entries: indexes.map((i) => ({ EventBusName: step.target, Source: e.source, DetailType: e.detailType, Detail: fill(e.detail, i) })),
    });
    const refused = (out.Entries as { ErrorCode?: string; ErrorMessage?: string }[] | undefined)?.filter((x) => x.ErrorCode !== undefined) ?? [];
    // The entries EventBridge accepted are routed and counted, even when others were refused.
    sent.events[e.bus] = (sent.events[e.bus] ?? 0) + indexes.length - refused.length;
    const failed = refused[0];
    if (failed !== undefined) throw new Error(`${refused.length} of ${indexes.length} refused: ${failed.ErrorCode}: ${failed.ErrorMessage}`);
  } else if ("http" in step) {
    // Sent one by one, each once the server has the previous one; answers are read at the end (http-traffic.ts).
    const label = httpLabel(step.http);
    const before = http!.sentCount;
    try {
      await http!.send(step.http, step.target, label, indexes);
    } finally {
      sent.requests[label] = (sent.requests[label] ?? 0) + http!.sentCount - before;
    }
  } else {
    const v = step.invoke;
    // Concurrent callers: every Invoke is made in this turn, in index order, so all are stored
    // (one group commit) and their first attempts admitted in that order, with no I/O between
    // them: which ones a reserved concurrency throttles does not depend on how fast handlers run.
    const out = await Promise.allSettled(indexes.map((i) => sim.invoker.invoke({ functionName: step.target, payload: Buffer.from(fill(v.payload, i)), invocationType: "Event", frontDoor: true })));
    const accepted = out.filter((o) => o.status === "fulfilled").length;
    if (accepted > 0) sent.invocations[v.function] = (sent.invocations[v.function] ?? 0) + accepted;
    const refused = out.find((o) => o.status === "rejected");
    if (refused !== undefined) throw new Error(`${out.length - accepted} of ${out.length} refused: ${(refused.reason as Error).message}`);
  }
}

/** One SendMessageBatch entry of a `send` step: `{key}` is the message's group (FIFO), as a `put`'s is its partition key. */
function sqsEntry(s: Extract<TrafficStep, { send: unknown }>["send"], i: number): Record<string, unknown> {
  const groups = s.messageGroupId === undefined ? undefined : Array.isArray(s.messageGroupId) ? s.messageGroupId : [s.messageGroupId];
  const group = groups === undefined ? undefined : fill(groups[i % groups.length]!, i);
  const entry: Record<string, unknown> = { Id: String(i), MessageBody: fill(s.body, i, group) };
  if (group !== undefined) entry.MessageGroupId = group;
  if (s.messageDeduplicationId !== undefined) entry.MessageDeduplicationId = fill(s.messageDeduplicationId, i, group);
  if (s.delaySeconds !== undefined) entry.DelaySeconds = s.delaySeconds;
  const names = Object.keys(s.attributes);
  if (names.length > 0) {
    entry.MessageAttributes = Object.fromEntries(
      names.map((n) => {
        const v = s.attributes[n]!;
        return [n, typeof v === "number" ? { DataType: "Number", StringValue: String(v) } : { DataType: "String", StringValue: fill(v, i, group) }];
      }),
    );
  }
  return entry;
}

/** Text with `{i}` and `{key}` filled in; an object becomes JSON first (a `"{i}"` value becomes the number). */
function fill(content: string | Record<string, unknown>, i: number, key = ""): string {
  if (typeof content === "string") return content.replaceAll("{i}", String(i)).replaceAll("{key}", key);
  return JSON.stringify(content).replaceAll('"{i}"', String(i)).replaceAll("{i}", String(i)).replaceAll("{key}", key);
}

/** One AWS JSON-protocol call on the simulator's endpoint, as an SDK sends it. */
export async function awsJson(endpoint: string, target: string, version: "1.0" | "1.1", body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(endpoint, { method: "POST", headers: { "content-type": `application/x-amz-json-${version}`, "x-amz-target": target }, body: JSON.stringify(body) });
  const out = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${target}: ${String(out.message ?? out.Message ?? res.status)}`);
  return out;
}

function describe(shot: Shot): string {
  const s = shot.step;
  if ("send" in s) return `send to ${s.send.queue}`;
  if ("put" in s) return `put to ${s.put.stream}`;
  if ("publish" in s) return `publish to ${s.publish.topic}`;
  if ("putEvents" in s) return `putEvents on ${s.putEvents.bus}`;
  if ("http" in s) return httpLabel(s.http);
  return `invoke ${s.invoke.function}`;
}

function stepBody(step: Exclude<TrafficStep, { wait: number }>): { count: number; rate?: number } {
  if ("send" in step) return step.send;
  if ("put" in step) return step.put;
  if ("publish" in step) return step.publish;
  if ("putEvents" in step) return step.putEvents;
  if ("http" in step) return step.http;
  return step.invoke;
}

/** `POST /orders on HttpApi` (its stage when written), `GET / on orders's URL`: an http step as the report names it. */
export function httpLabel(h: Extract<TrafficStep, { http: unknown }>["http"]): string {
  const on = h.api !== undefined ? `${h.api}${h.stage === undefined ? "" : ` (${h.stage})`}` : `${h.functionUrl}'s URL`;
  return `${h.method} ${h.path} on ${on}`;
}

/** A step's attributes as SNS MessageAttributes: text is String, a number Number, a list String.Array. */
function snsAttributes(attributes: Record<string, string | number | unknown[]>): Record<string, { DataType: string; StringValue: string }> {
  return Object.fromEntries(
    Object.entries(attributes).map(([name, v]) => [name, typeof v === "number" ? { DataType: "Number", StringValue: String(v) } : Array.isArray(v) ? { DataType: "String.Array", StringValue: JSON.stringify(v) } : { DataType: "String", StringValue: v }]),
  );
}

/**
 * One AWS query-protocol call (SNS's only protocol) on the simulator's endpoint, its parameters
 * flattened as the SDKs do (`Entries.member.1.Id`, `MessageAttributes.entry.1.Name`); the XML answer.
 */
async function awsQuery(endpoint: string, action: string, params: Record<string, unknown>, region: string | undefined): Promise<string> {
  const form = new URLSearchParams({ Action: action, Version: "2010-03-31" });
  const flatten = (prefix: string, v: unknown): void => {
    if (v === undefined) return;
    if (Array.isArray(v)) v.forEach((x, i) => flatten(`${prefix}.member.${i + 1}`, x));
    else if (typeof v === "object" && v !== null && prefix.endsWith("MessageAttributes")) {
      Object.entries(v).forEach(([name, value], i) => {
        form.append(`${prefix}.entry.${i + 1}.Name`, name);
        flatten(`${prefix}.entry.${i + 1}.Value`, value);
      });
    } else if (typeof v === "object" && v !== null) for (const [k, x] of Object.entries(v)) flatten(`${prefix}.${k}`, x);
    else form.append(prefix, String(v));
  };
  for (const [k, v] of Object.entries(params)) flatten(k, v);
  const body = new TextEncoder().encode(form.toString());
  // Signed as the SDKs sign: the query protocol has no X-Amz-Target, the signature's scope names the service.
  const headers = await signedHeaders(new URL(endpoint), "POST", { "content-type": "application/x-www-form-urlencoded; charset=utf-8" }, body, "sns", SCENARIO_KEYS, { AWS_REGION: region });
  const res = await fetch(endpoint, { method: "POST", headers, body });
  const text = await res.text();
  if (!res.ok) throw new Error(`${action}: ${unxml(/<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? String(res.status))}`);
  return text;
}

/** XML text as written: the five entities an XML answer escapes. */
function unxml(text: string): string {
  const entities: Record<string, string> = { lt: "<", gt: ">", quot: '"', apos: "'", amp: "&" };
  return text.replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) => entities[e]!);
}
