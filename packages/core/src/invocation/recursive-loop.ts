import { createHash } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { Clock } from "../clock/clock.ts";
import type { RandomStream } from "../random/rng.ts";
import type { ResolvedInvocationTarget } from "../registry/function-model.ts";
import type { FunctionRegistry } from "../registry/function-registry.ts";
import { qualifierOf } from "../registry/function-names.ts";
import type { Telemetry } from "../telemetry/telemetry.ts";

// Lambda's recursive loop detection (invocation-recursion in the Lambda developer guide; the
// 2023-07-13 launch post): every invocation's X-Ray trace header carries a `Lineage` counting how
// many times the chain of events it belongs to has invoked each function. The AWS SDKs copy the
// header onto what the function sends (X-Amzn-Trace-Id, from _X_AMZN_TRACE_ID), SQS keeps it as
// the message's AWSTraceHeader and SNS passes it on, so an event a function sends back to its own
// queue or topic comes back with its count. "If a function is invoked by the same triggering event
// more than 16 times, Lambda will stop the next invocation" unless its RecursiveLoop is Allow.

/** Invocations one chain of events may make of a function before the next is stopped. */
export const RECURSIVE_LOOP_LIMIT = 16;

/**
 * A function's entry in a Lineage. AWS does not publish what its 8 hex digits hash; ours: the
 * start of the SHA-256 of the unqualified function ARN (stable across restarts and versions).
 */
export function lineageId(functionArn: string): string {
  return createHash("sha256").update(functionArn).digest("hex").slice(0, 8);
}

/**
 * The counts a trace header's Lineage carries, by function entry. AWS's headers read
 * `Lineage=037bed70:0` (2023) and `Lineage=1:fe460cdd:0` (2025: a format version first); entries
 * of several functions are joined by `|` (OpenTelemetry's X-Ray propagator tests).
 */
export function lineageCounts(traceHeader: string | undefined): Map<string, number> | undefined {
  const value = traceHeader === undefined ? undefined : LINEAGE.exec(traceHeader)?.[1];
  if (value === undefined) return undefined;
  const counts = new Map<string, number>();
  // boto3 percent-encodes the `|` of the header it copies from _X_AMZN_TRACE_ID (botocore's add_recursion_detection_header).
  for (const entry of value.replaceAll(/%7c/gi, "|").split("|")) {
    const parts = entry.trim().split(":");
    const [id, count] = parts.length === 3 ? [parts[1], parts[2]] : [parts[0], parts[1]];
    if (id !== undefined && count !== undefined && /^[0-9a-f]{8}$/.test(id) && /^\d{1,9}$/.test(count)) counts.set(id, Number(count));
  }
  return counts.size > 0 ? counts : undefined;
}

const LINEAGE = /(?:^|;)\s*Lineage=([^;]*)/;
const ROOT = /(?:^|;)\s*Root=([^;]+)/;
const SAMPLED = /(?:^|;)\s*Sampled=([^;]+)/;

/** The Invoker's side of it: each invocation's trace header, and the stops, reported. */
export class LoopGuard {
  /** Each function's Lineage entry, by unqualified ARN (a hash: worked out once). */
  private readonly ids = new Map<string, string>();

  private readonly registry: FunctionRegistry;
  private readonly telemetry: Telemetry;
  private readonly random: RandomStream;
  private readonly clock: Clock;

  constructor(registry: FunctionRegistry, telemetry: Telemetry, random: RandomStream, clock: Clock) {
    this.registry = registry;
    this.telemetry = telemetry;
    this.random = random;
    this.clock = clock;
  }

  /**
   * The X-Ray trace header an invocation runs with (`Root=1-<epoch hex>-<24 hex>;Parent=<16 hex>;
   * Sampled=0;Lineage=...`, aws-facts §2.1), the caller's Root carried on; undefined when it is an
   * invocation a loop may not make (reported here). `caller` names who asked, for the report.
   */
  trace(target: ResolvedInvocationTarget, incoming: string | readonly string[] | undefined, caller: string, eventId?: string): string | undefined {
    const c = target.config;
    const id = this.idOf(c.functionArn);
    const { header, count } = invocationTrace(typeof incoming === "object" ? shallowest(incoming, id) : incoming, id, this.random, this.clock.now());
    // The 17th invocation of a chain is stopped, unless RecursiveLoop is Allow (looked up only that deep, not on every warm invoke).
    if (count < RECURSIVE_LOOP_LIMIT || this.registry.get(c.functionName).recursiveLoop === "Allow") return header;
    this.telemetry.emit({ type: "invocation.recursive-loop", functionName: c.functionName, qualifier: qualifierOf(target) ?? target.executedVersion, invocations: count, caller, ...(eventId === undefined ? {} : { eventId }) });
    return undefined;
  }

  /**
   * Whether an event with `traceHeader` would be stopped before invoking the function (reported as
   * trace() reports a stop), drawing nothing from the random streams and resolving no alias: a
   * queue mapping asks it of every message it receives (review20 R20-10).
   */
  stops(functionName: string, qualifier: string | undefined, functionArn: string, traceHeader: string, caller: string, eventId?: string): boolean {
    const count = countOf(lineageCounts(traceHeader), this.idOf(functionArn));
    if (count < RECURSIVE_LOOP_LIMIT || this.registry.get(functionName).recursiveLoop === "Allow") return false;
    this.telemetry.emit({ type: "invocation.recursive-loop", functionName, qualifier: qualifier ?? "$LATEST", invocations: count, caller, ...(eventId === undefined ? {} : { eventId }) });
    return true;
  }

  private idOf(functionArn: string): string {
    let id = this.ids.get(functionArn);
    if (id === undefined) {
      id = lineageId(functionArn);
      this.ids.set(functionArn, id);
    }
    return id;
  }
}

/**
 * Of a batch's messages' traces, the one that has invoked function `id` the fewest times. AWS does
 * not say which trace a batch carries; any one is copied onto everything the invocation sends, so
 * the deepest would ratchet the count up across unrelated chains batched together and stop a
 * workload that loops nowhere (review18 R18-2); the shallowest stops a batch only when every one
 * of its messages is that deep in a loop, which a runaway loop soon makes all of them.
 */
function shallowest(headers: readonly string[], id: string): string | undefined {
  let best: string | undefined;
  let least = Infinity;
  for (const h of headers) {
    const n = lineageCounts(h)?.get(id) ?? -1;
    if (n < least) [best, least] = [h, n];
  }
  return best;
}

/** A request's X-Amzn-Trace-Id (what the SDKs send from inside a function), for the service to carry on. */
export function traceHeaderOf(headers: IncomingHttpHeaders): string | undefined {
  const v = headers["x-amzn-trace-id"];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Entries kept in a Lineage: a chain through more functions than this forgets those invoked least
 * recently (our bound; AWS's is unpublished), so a ring of more functions is not stopped.
 */
const MAX_ENTRIES = 8;

/** The count this invocation of function `id` carries: one more than the chain's so far, 0 for a first. */
function countOf(counts: Map<string, number> | undefined, id: string): number {
  const previous = counts?.get(id);
  return previous === undefined ? 0 : previous + 1;
}

/**
 * The trace header an invocation runs with, and its count. The caller's trace (its Root and
 * Sampled) carries on with a new Parent, as Lambda's does, and this function's count goes up by
 * one (0 when the chain has not invoked it yet).
 */
export function invocationTrace(
  incoming: string | undefined,
  functionId: string,
  ids: RandomStream,
  nowMs: number,
): { header: string; count: number } {
  const counts = lineageCounts(incoming);
  const count = countOf(counts, functionId);
  const given = incoming === undefined ? undefined : ROOT.exec(incoming)?.[1]?.trim();
  const root = given !== undefined && /^1-[0-9a-f]{8}-[0-9a-f]{24}$/.test(given) ? given : `1-${Math.floor(nowMs / 1000).toString(16)}-${ids.hex(12)}`;
  const sampled = incoming !== undefined && SAMPLED.exec(incoming)?.[1]?.trim() === "1" ? "1" : "0";
  let lineage = `1:${functionId}:${count}`;
  if (counts !== undefined) {
    // Each invocation writes its own entry first: the head holds the most recently invoked (review18 R18-1).
    const others = [...counts].filter(([id]) => id !== functionId).slice(0, MAX_ENTRIES - 1);
    for (const [id, n] of others) lineage += `|${id}:${n}`;
  }
  return { header: `Root=${root};Parent=${ids.hex(8)};Sampled=${sampled};Lineage=${lineage}`, count };
}
