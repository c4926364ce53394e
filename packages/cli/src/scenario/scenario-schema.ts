import { z } from "zod";
import { parseDuration } from "../commands/duration.ts";

/** `90s`, `2m`, `1h30m` or a number of seconds, as service milliseconds. */
const duration = z.union([z.number(), z.string()], { error: "expected a duration such as 90s, 10m, 2h or a number of seconds" }).transform((v, ctx) => {
  const ms = parseDuration(v);
  if (ms === undefined) {
    ctx.addIssue({ code: "custom", message: "expected a duration such as 90s, 10m, 2h or a number of seconds", input: v });
    return z.NEVER;
  }
  return ms;
});
const count = z.number({ error: "expected a whole number ≥ 1" }).int({ error: "expected a whole number ≥ 1" }).min(1, { error: "expected a whole number ≥ 1" });
const rate = z.number({ error: "expected a number per second" }).positive({ error: "expected a positive number per second" });
/** Text, or JSON written as YAML; `{i}` in either is replaced by the item's index (0-based). */
const content = z.union([z.string(), z.record(z.string(), z.unknown())], { error: "expected text or an object" });

/**
 * One traffic step. Steps run one after another from the scenario's start: a step with a `rate`
 * lasts count / rate seconds, a burst (no rate) takes no time, `wait` lets time pass, and `at`
 * starts a step at that offset from the start instead.
 */
export const trafficStepSchema = z.union(
  [
    z.strictObject({ at: duration.optional(), send: z.strictObject({ queue: z.string().min(1), count: count.default(1), rate: rate.optional(), body: content.default("message {i}") }) }),
    z.strictObject({
      at: duration.optional(),
      put: z.strictObject({
        stream: z.string().min(1),
        count: count.default(1),
        rate: rate.optional(),
        /** Cycled over the records: record i gets partitionKeys[i % n]. */
        partitionKeys: z.array(z.string().min(1)).min(1).default(["key"]),
        data: content.default({ seq: "{i}" }),
        /** Indexes of records whose data is replaced by `poisonData` (a record no handler can process). */
        poison: z.array(z.number().int().min(0)).default([]),
        poisonData: content.default({ poison: true }),
      }),
    }),
    z.strictObject({ at: duration.optional(), invoke: z.strictObject({ function: z.string().min(1), count: count.default(1), rate: rate.optional(), payload: content.default({ n: "{i}" }) }) }),
    z.strictObject({ wait: duration }),
  ],
  { error: "expected a traffic step: send, put, invoke or wait" },
);

/** An expected count: exact, or `{ min, max }`. */
const bound = z.union([z.number(), z.strictObject({ min: z.number().optional(), max: z.number().optional() })], { error: "expected a number or { min, max }" });
const perName = z.record(z.string(), bound, { error: "expected a map of names to a number or { min, max }" });

export const expectationsSchema = z.strictObject({
  /** Invocations that ran (or were answered by a fault), by function. */
  invocations: perName.optional(),
  /** Invocations that ended in an error or timeout, by function. */
  errors: perName.optional(),
  /** 429 throttles (sync callers, async attempts, mapping batches), by function. */
  throttles: perName.optional(),
  /** Asynchronous retries scheduled (function errors and throttles), by function. */
  retries: perName.optional(),
  /** Cold starts (invocations that initialised their environment; not provisioned environments' own init), by function. */
  coldStarts: perName.optional(),
  /** Messages left in a queue at the end (visible, in flight or delayed), by queue name: DLQs, destinations. */
  messages: perName.optional(),
  /** Records reported as failed by stream mappings' on-failure records in a queue (their batch sizes summed). */
  failedRecords: perName.optional(),
  /** Async events that reached a destination or DLQ, by target name (`orders-dlq`, `audit`). */
  delivered: perName.optional(),
  /**
   * Async events given up (retries exhausted or too old), by function, whether an OnFailure
   * destination or DLQ then took them or not: what AWS counts as AsyncEventsDropped (the event
   * leaves the async queue; a destination or DLQ gets it "before it is dropped").
   */
  givenUp: perName.optional(),
  /** The oldest an async event got between its acceptance and its last attempt or end, seconds, by function. */
  maxEventAgeSeconds: perName.optional(),
  /** Most environments of a function initialising or busy at once. */
  concurrencyPeak: perName.optional(),
  /** Records a function processed successfully after a later record of the same key (Kinesis partition key, FIFO group), by stream or queue name. */
  outOfOrderRecords: perName.optional(),
  /** Faults that fired, all kinds together. */
  faultsFired: bound.optional(),
});

/** The scenario's own keys; the architecture is a lambda-sim.yaml beside them or in `architecture`. */
export const scenarioKeys = {
  name: z.string().optional(),
  description: z.string().optional(),
  /** A lambda-sim.yaml to run, relative to the scenario; without it the scenario embeds one. */
  architecture: z.string().optional(),
  seed: z.union([z.string(), z.number()]).optional(),
  /**
   * Per function of real code, the service time each invocation takes (`worker: 200ms`): its
   * environment and concurrency, and a mapping's lane, stay taken that long on the virtual clock
   * while the code still runs and answers. Without it real handlers take no service time.
   */
  serviceTime: z.record(z.string(), duration, { error: "expected a map of function names to a duration such as 200ms" }).optional(),
  /** Service time simulated from the start (traffic beyond it is not sent). */
  duration,
  traffic: z.array(trafficStepSchema, { error: "expected a list of traffic steps" }).default([]),
  expect: expectationsSchema.default({}),
};

export type TrafficStep = z.output<typeof trafficStepSchema>;
export type Expectations = z.output<typeof expectationsSchema>;
export type Bound = z.output<typeof bound>;
