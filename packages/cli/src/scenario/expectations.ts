import type { NamedKind } from "../template/logical-names.ts";
import type { Bound, Expectations } from "./scenario-schema.ts";
import type { FunctionStats, Observations } from "./observations.ts";
import type { OutOfOrder } from "./record-order.ts";
import { answersOf, type HttpAnswers } from "./http-traffic.ts";

/**
 * The simulator's name for each name the expectations write, by expectation key then name as
 * written (`errors: { WorkerFunction: app-WorkerFunction-511QZUZXGMCE }`): resolved once, when the
 * scenario loads (ScenarioNames.expectations). A name missing here is taken as written.
 */
export type ExpectationNames = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** What each keyed expectation names, other than a function: a queue, a stream, any delivery target. */
export const NAMED_BY_KEY: Readonly<Record<string, readonly NamedKind[]>> = {
  messages: ["queue"],
  failedRecords: ["queue"],
  outOfOrderRecords: ["stream", "queue"],
  maxIteratorAgeSeconds: ["stream"],
  delivered: ["queue", "function", "topic", "bus"],
};

/** What the run measured at the end, beside what telemetry counted. */
export interface EndState {
  /** Messages left per queue (visible, in flight or delayed). */
  messages: Record<string, number>;
  /** Failed records reported by stream mappings' on-failure records, per queue. */
  failedRecords: Record<string, number>;
  /** Records processed out of their key's order, per stream or FIFO queue. */
  outOfOrder: Record<string, number>;
  /** Records whose order was checked (undefined: no order expectation). */
  orderChecked?: number;
  /** The first record out of order, per stream or FIFO queue. */
  firstOutOfOrder?: Record<string, OutOfOrder>;
  /** The `http` steps' answers (undefined: the scenario sends no HTTP request). */
  httpAnswers?: HttpAnswers;
}

export interface ExpectationResult {
  what: string;
  actual: number;
  expected: string;
  ok: boolean;
}

const PER_FUNCTION: Record<string, (s: FunctionStats) => number> = {
  invocations: (s) => s.invocations,
  errors: (s) => s.errors,
  throttles: (s) => s.throttles,
  retries: (s) => s.retries,
  coldStarts: (s) => s.coldStarts,
  givenUp: (s) => s.givenUp,
  maxEventAgeSeconds: (s) => Math.round(s.maxEventAgeMs / 1000),
  concurrencyPeak: (s) => s.concurrencyPeak,
  recursiveLoopStops: (s) => s.loopStops,
};

/** The expectations counted per function (the others name queues, streams or delivery targets). */
export const PER_FUNCTION_KEYS = Object.keys(PER_FUNCTION) as (keyof Expectations)[];

/** Checks every expectation of the scenario, in the order written (and reported with the names written). */
export function checkExpectations(expect: Expectations, obs: Observations, end: EndState, names: ExpectationNames = {}): ExpectationResult[] {
  const results: ExpectationResult[] = [];
  for (const [key, byName] of Object.entries(expect)) {
    if (byName === undefined) continue;
    if (key === "httpStatus") {
      for (const [code, bound] of Object.entries(byName as Record<string, Bound>)) results.push(result(`HTTP answers ${code}`, answersOf(end.httpAnswers, code), bound));
      continue;
    }
    if (key === "faultsFired") {
      const fired = [...obs.faultsFired.values()].reduce((a, b) => a + b, 0);
      results.push(result("faults fired", fired, byName as Bound));
      continue;
    }
    for (const [written, bound] of Object.entries(byName as Record<string, Bound>)) {
      let actual: number;
      const stat = PER_FUNCTION[key];
      const name = names[key]?.[written] ?? written;
      if (stat !== undefined) actual = stat(obs.functions.get(name) ?? obs.fn(name));
      else if (key === "messages") actual = end.messages[name] ?? 0;
      else if (key === "failedRecords") actual = end.failedRecords[name] ?? 0;
      else if (key === "outOfOrderRecords") actual = end.outOfOrder[name] ?? 0;
      else if (key === "maxIteratorAgeSeconds") {
        // Up to the second above (60.4 s is not ≤ 60); a stream no batch was sent from fails rather than passing with 0 (review23 L7).
        if (!obs.shards.sawBatches(name)) {
          results.push({ ...result(`${key} of ${written}`, 0, bound), what: `${key} of ${written} (no batch was sent)`, ok: false });
          continue;
        }
        actual = Math.ceil(obs.shards.maxIteratorAgeMs(name) / 1000);
      }
      else actual = obs.delivered.get(name) ?? 0;
      results.push(result(`${key} of ${written}`, actual, bound));
    }
  }
  return results;
}

function result(what: string, actual: number, bound: Bound): ExpectationResult {
  if (typeof bound === "number") return { what, actual, expected: `= ${bound}`, ok: actual === bound };
  const parts = [bound.min === undefined ? "" : `≥ ${bound.min}`, bound.max === undefined ? "" : `≤ ${bound.max}`].filter(Boolean);
  return { what, actual, expected: parts.join(" and ") || "anything", ok: (bound.min === undefined || actual >= bound.min) && (bound.max === undefined || actual <= bound.max) };
}

/** The queues an expectation names, so the run measures them at the end. */
export function queuesNamed(expect: Expectations, names: ExpectationNames = {}): string[] {
  const named = (key: "messages" | "failedRecords") => Object.keys(expect[key] ?? {}).map((q) => names[key]?.[q] ?? q);
  return [...new Set([...named("messages"), ...named("failedRecords")])];
}
