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
/** Our choice: a step sends or invokes at most this many times (a million real invocations is hours on a laptop; `1e9` grew without bound). */
const MAX_COUNT = 1_000_000;
const count = z
  .number({ error: "expected a whole number ≥ 1" })
  .int({ error: "expected a whole number ≥ 1" })
  .min(1, { error: "expected a whole number ≥ 1" })
  .max(MAX_COUNT, { error: `expected at most ${MAX_COUNT.toLocaleString("en-US")} per step` });
const rate = z.number({ error: "expected a number per second" }).positive({ error: "expected a positive number per second" });
/** Text, or JSON written as YAML; `{i}` in either is replaced by the item's index (0-based). */
const content = z.union([z.string(), z.record(z.string(), z.unknown())], { error: "expected text or an object" });

/** Headers an `http` step sets itself. */
const STEP_HEADERS = ["host", "content-length", "transfer-encoding", "connection"];

/** Each kind of traffic step, by the key that names it. */
const stepKinds = {
  send: z.strictObject({
    at: duration.optional(),
    send: z.strictObject({
      queue: z.string().min(1),
      count: count.default(1),
      rate: rate.optional(),
      body: content.default("message {i}"),
      /** FIFO queues: the group, `{i}` filled in; a list is cycled (message i gets messageGroupId[i % n]), and `{key}` is it in the body. */
      messageGroupId: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)], { error: "expected a group id or a list of them" }).optional(),
      /** FIFO queues without ContentBasedDeduplication: the deduplication id, `{i}` and `{key}` filled in (`m{i}` makes each message its own). */
      messageDeduplicationId: z.string().min(1).optional(),
      /** Message attributes: a string is DataType String, a number Number; `{i}` filled in. */
      attributes: z.record(z.string(), z.union([z.string(), z.number()], { error: "expected text or a number" })).default({}),
      /** SQS's per-message DelaySeconds, 0-900 (standard queues: SQS refuses it on FIFO queues, as on AWS). */
      delaySeconds: z.number().int({ error: "expected whole seconds 0-900" }).min(0, { error: "expected whole seconds 0-900" }).max(900, { error: "expected whole seconds 0-900" }).optional(),
    }),
  }),
  put: z.strictObject({
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
    }).superRefine((p, ctx) => {
      // An index past the last record would leave the poison out silently (newuser13 N13-6).
      for (const [i, index] of p.poison.entries()) {
        if (index >= p.count) ctx.addIssue({ code: "custom", path: ["poison", i], input: index, message: `expected the index of one of the ${p.count} record(s) put (0 to ${p.count - 1})` });
      }
    }),
  }),
  publish: z.strictObject({
    at: duration.optional(),
    publish: z.strictObject({
      topic: z.string().min(1),
      count: count.default(1),
      rate: rate.optional(),
      message: content.default("message {i}"),
      /** SNS's Subject, checked as the simulator's Publish checks it: 1-100 characters, no line break (SNS API Publish: "no line breaks or control characters"). */
      subject: z.string().min(1).max(100).regex(/^[^\r\n]*$/, { error: "expected no line breaks (SNS refuses them in a Subject)" }).optional(),
      /** Message attributes: a string is DataType String, a number Number, a list String.Array. */
      attributes: z.record(z.string(), z.union([z.string(), z.number(), z.array(z.union([z.string(), z.number(), z.boolean(), z.null()]))], { error: "expected text, a number or a list" })).default({}),
    }),
  }),
  putEvents: z.strictObject({
    at: duration.optional(),
    putEvents: z.strictObject({
      bus: z.string().min(1).default("default"),
      source: z.string().min(1),
      detailType: z.string().min(1),
      count: count.default(1),
      rate: rate.optional(),
      /** The event's Detail: a JSON object written as YAML, or its JSON text. */
      detail: content.default({ n: "{i}" }),
    }),
  }),
  invoke: z.strictObject({ at: duration.optional(), invoke: z.strictObject({ function: z.string().min(1), count: count.default(1), rate: rate.optional(), payload: content.default({ n: "{i}" }) }) }),
  /**
   * A real HTTP request to an API Gateway API (`api`: its name, template logical id or id) or to a
   * function's URL (`functionUrl`: the function), sent over the socket to the front the server
   * uses, so the function gets the event a client's request makes. The answers are counted by status.
   */
  http: z.strictObject({
    at: duration.optional(),
    http: z
      .strictObject({
        api: z.string().min(1).optional(),
        /** The API's stage; without it, its only stage (`$default` when it has that one). */
        stage: z.string().min(1).optional(),
        functionUrl: z.string().min(1).optional(),
        method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"], { error: "expected GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS" }).default("GET"),
        /** The path after the stage, with its query string if any (`/orders?limit=5`); `{i}` filled in. */
        path: z.string().startsWith("/", { error: "expected a path starting with /" }).default("/"),
        /** Request headers, `{i}` filled in; a body written as YAML gets content-type application/json unless one is given. */
        headers: z.record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, { error: "expected an HTTP header name" }), z.union([z.string(), z.number()], { error: "expected text or a number" })).default({}),
        body: content.optional(),
        count: count.default(1),
        rate: rate.optional(),
      })
      .superRefine((h, ctx) => {
        if ((h.api === undefined) === (h.functionUrl === undefined)) ctx.addIssue({ code: "custom", path: [], input: h, message: "expected one of api (an API's name, logical id or id) or functionUrl (a function with a Function URL)" });
        if (h.stage !== undefined && h.api === undefined) ctx.addIssue({ code: "custom", path: ["stage"], input: h.stage, message: "a stage belongs to an API (api:); a Function URL has none" });
        // The step sets these: the Host names the API or URL (http-traffic.ts), the length is the body's.
        for (const name of Object.keys(h.headers)) {
          if (STEP_HEADERS.includes(name.toLowerCase())) ctx.addIssue({ code: "custom", path: ["headers", name], input: name, message: `the step sets ${name.toLowerCase()} itself (the Host names the API or URL; the length is the body's)` });
        }
      }),
  }),
  wait: z.strictObject({ wait: duration }),
};
type StepKind = keyof typeof stepKinds;
const STEP_KEYS = Object.keys(stepKinds) as StepKind[];

/**
 * One traffic step. Steps run one after another from the scenario's start: a step with a `rate`
 * lasts count / rate seconds, a burst (no rate) takes no time, `wait` lets time pass, and `at`
 * starts a step at that offset from the start instead. The step's key chooses its kind, so a
 * mistake inside it is reported there (`traffic[2].putEvents.source`), not as "no kind matched".
 */
export const trafficStepSchema = z
  // Accepts anything (z.unknown() comes first); the kinds beside it are there for the "did you
  // mean" hint on an unknown key, which reads the schema (core config/schema-keys.ts).
  .union([z.unknown(), ...Object.values(stepKinds)])
  .transform((v, ctx): z.output<(typeof stepKinds)[StepKind]> => {
    const map = typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
    const kind = map === undefined ? undefined : STEP_KEYS.find((k) => k in map);
    if (kind === undefined) {
      ctx.addIssue({ code: "custom", message: `expected a traffic step: ${STEP_KEYS.slice(0, -1).join(", ")} or ${STEP_KEYS.at(-1)}`, input: v });
      // `pubish:` gets its "did you mean 'publish'?".
      const unknown = Object.keys(map ?? {}).filter((k) => k !== "at");
      if (map !== undefined && unknown.length > 0) ctx.addIssue({ code: "unrecognized_keys", keys: unknown, input: map });
      return z.NEVER;
    }
    const r = stepKinds[kind].safeParse(v, { reportInput: true });
    if (r.success) return r.data;
    // Kept as they are, `input: undefined` (a missing key) included: zod would put the whole step there.
    for (const issue of r.error.issues) ctx.addIssue({ ...issue, input: issue.input } as z.core.$ZodRawIssue);
    return z.NEVER;
  });

/** An expected count (or seconds): exact, or `{ min, max }`; never negative, and a range that some value meets. */
const atLeastZero = z.number({ error: "expected a number" }).min(0, { error: "expected a number ≥ 0 (a count or seconds)" });
const bound = z.union(
  [
    atLeastZero,
    z
      .strictObject({ min: atLeastZero.optional(), max: atLeastZero.optional() })
      .refine((b) => b.min !== undefined || b.max !== undefined, { error: "expected min, max or both" })
      .refine((b) => b.min === undefined || b.max === undefined || b.min <= b.max, { error: "expected min ≤ max: no count meets this range" }),
  ],
  { error: "expected a number or { min, max }" },
);
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
  /** Invocations stopped in a recursive loop (the 17th of one chain of events), by function. */
  recursiveLoopStops: perName.optional(),
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
  /** The greatest iterator age of a stream's batches (AWS's IteratorAge: how far a shard fell behind), seconds, by stream. */
  maxIteratorAgeSeconds: perName.optional(),
  /** Faults that fired, all kinds together. */
  faultsFired: bound.optional(),
  /** Answers to the `http` steps' requests, by status code (`"202"`) or class (`"5xx"`). */
  httpStatus: z
    .record(z.string().regex(/^[1-5](\d\d|xx)$/, { error: "expected a status code such as 200 or a class such as 5xx" }), bound, { error: "expected a map of status codes (200) or classes (5xx) to a number or { min, max }" })
    .optional(),
});

/** The scenario's own keys; the architecture is a lambda-sim.yaml beside them or in `architecture`. */
export const scenarioKeys = {
  name: z.string().optional(),
  description: z.string().optional(),
  /** A lambda-sim.yaml to run, relative to the scenario; without it the scenario embeds one. */
  architecture: z.string().optional(),
  /** A template architecture's parameter values, as `start --parameter-overrides` gives them (newuser13 N13-14). */
  parameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]), { error: "expected a map of template parameter names to values" }).optional(),
  seed: z.union([z.string(), z.number()]).optional(),
  /**
   * Per function of real code, the service time each invocation takes (`worker: 200ms`): its
   * environment and concurrency, and a mapping's lane, stay taken that long on the virtual clock
   * while the code still runs and answers. Without it real handlers take no service time.
   */
  serviceTime: z.record(z.string(), duration, { error: "expected a map of function names to a duration such as 200ms" }).optional(),
  /** Service time simulated from the start (traffic beyond it is not sent); 0 would run nothing and pass (newuser11 N2-5). */
  duration: duration.refine((ms) => ms > 0, { error: "expected a duration longer than 0, such as 10m (the service time the scenario simulates)" }),
  traffic: z.array(trafficStepSchema, { error: "expected a list of traffic steps" }).default([]),
  expect: expectationsSchema.default({}),
};

export type TrafficStep = z.output<typeof trafficStepSchema>;
export type Expectations = z.output<typeof expectationsSchema>;
export type Bound = z.output<typeof bound>;
