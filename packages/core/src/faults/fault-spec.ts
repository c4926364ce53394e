import { z } from "zod";

/** ThrottleReason values of botocore's lambda model (aws-facts §1.4). */
const THROTTLE_REASONS = [
  "ConcurrentInvocationLimitExceeded",
  "FunctionInvocationRateLimitExceeded",
  "ReservedFunctionConcurrentInvocationLimitExceeded",
  "ReservedFunctionInvocationRateLimitExceeded",
  "CallerRateLimitExceeded",
] as const;

export const FAULT_KINDS = ["error", "timeout", "crash", "out-of-memory", "latency", "slow-cold-start", "throttle", "delivery-failure"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

const positive = (what: string) => z.number({ error: `expected ${what}` }).positive({ error: `expected ${what} > 0` });
/**
 * 15 minutes, Lambda's maximum function timeout (aws-facts §3: Timeout 1–900 s): no invocation is held longer, so
 * an injected hold beyond it (`ms: 1e300`, seconds typed as ms times 1000) is a unit mistake that
 * would keep the invocation and its concurrency forever.
 */
export const MAX_FAULT_HOLD_MS = 900_000;
const holdMs = positive("a number of milliseconds").max(MAX_FAULT_HOLD_MS, { error: `expected at most ${MAX_FAULT_HOLD_MS} milliseconds (15 minutes, the longest a Lambda function runs)` });
const wholeAtLeast1 = z.number({ error: "expected a whole number ≥ 1" }).int({ error: "expected a whole number ≥ 1" }).min(1, { error: "expected a whole number ≥ 1" });

/** Which invocations (or deliveries of their records) a fault applies to, and when it fires among them. */
const scope = {
  /** Function name or ARN the fault applies to. */
  function: z.string().min(1).optional(),
  /** Version or alias of `function`, as invoked (`live`, `3`); default any. */
  qualifier: z.string().min(1).optional(),
  /** Only invocations by event source mappings reading this source (`sqs:orders`, `kinesis:clicks` or an ARN). */
  source: z.string().min(1).optional(),
  /** Only invocations by this event source mapping (its UUID). */
  mapping: z.string().min(1).optional(),
  /** Only invocations whose payload contains this text (a poison record); not for delivery-failure. */
  payloadContains: z.string().min(1).optional(),
  /** Fire on these matching invocations only, counted from 1 (`3` or `[1, 2]`). */
  nth: z.union([wholeAtLeast1, z.array(wholeAtLeast1).min(1)]).optional(),
  /**
   * Only these attempts of an event, counted from 1 (`1` or `[1, 2]`): an async event's invocation
   * number (its record's approximateInvokeCount, throttles not counted), an SQS batch's
   * ApproximateReceiveCount (its lowest, when its messages differ). Other invocations have none and
   * do not match. Not for delivery-failure.
   */
  attempt: z.union([wholeAtLeast1, z.array(wholeAtLeast1).min(1)]).optional(),
  /** Fire on this fraction of matching invocations, drawn from the seeded "faults" stream. */
  fraction: z.number({ error: "expected a fraction between 0 and 1" }).min(0).max(1).optional(),
  /** Fire at most this many times. */
  times: wholeAtLeast1.optional(),
  /** Service seconds after the fault is added before it becomes active (default 0). */
  afterSeconds: z.number().min(0).default(0),
  /** Service seconds it stays active (default: until cleared). */
  forSeconds: positive("a number of seconds").optional(),
};

/**
 * One fault, as POSTed to `/_sim/faults` or listed under `faults:` in lambda-sim.yaml and scenarios.
 * The kind's own fields sit beside the scope.
 */
export const faultSchema = z.discriminatedUnion(
  "kind",
  [
    z.strictObject({ kind: z.literal("error"), ...scope, errorType: z.string().min(1).default("Error"), errorMessage: z.string().default("injected fault") }),
    z.strictObject({ kind: z.literal("timeout"), ...scope }),
    z.strictObject({ kind: z.literal("crash"), ...scope }),
    z.strictObject({ kind: z.literal("out-of-memory"), ...scope }),
    z.strictObject({ kind: z.literal("latency"), ...scope, ms: holdMs }),
    z.strictObject({ kind: z.literal("slow-cold-start"), ...scope, ms: holdMs }),
    z.strictObject({ kind: z.literal("throttle"), ...scope, reason: z.enum(THROTTLE_REASONS).default("ConcurrentInvocationLimitExceeded") }).refine((d) => d.attempt === undefined, {
      // A throttle is not an attempt (AWS: throttled events are retried apart from the retry attempts), so
      // an event throttled at its attempt 1 is still at attempt 1 when retried: throttled until it expires.
      path: ["attempt"],
      error: "does not apply to throttle: a throttled event has not made its attempt, so it would be throttled again at every retry until it expires (use nth, or afterSeconds and forSeconds)",
    }),
    z.strictObject({
      kind: z.literal("delivery-failure"),
      ...scope,
      /**
       * The destination or DLQ whose deliveries fail, spelt as destinations are: `sqs:NAME`,
       * `sns:NAME`, `lambda:NAME`, `events:BUS` or an ARN. With `function` (and `qualifier`), only
       * that function's records (its async destinations and DLQ, its stream mappings' on-failure
       * records); with `source` or `mapping`, only a stream mapping's on-failure records.
       */
      target: z.string().min(1),
      message: z.string().default("injected delivery failure"),
    })
      .refine((d) => d.payloadContains === undefined, {
        // Our choice: a delivery carries a record, not the invocation's payload; refused rather than silently ignored.
        path: ["payloadContains"],
        error: "does not apply to delivery-failure: a delivery carries a record, not an invocation's payload (scope it with function, qualifier, source or mapping)",
      })
      .refine((d) => d.attempt === undefined, {
        // Likewise: a delivery is made once the event's attempts are over.
        path: ["attempt"],
        error: "does not apply to delivery-failure: a delivery follows an event's last attempt (scope it with function, qualifier, source or mapping)",
      }),
  ],
  { error: `expected kind: one of ${FAULT_KINDS.join(", ")}` },
);

export type FaultSpec = z.output<typeof faultSchema>;
export type FaultInput = z.input<typeof faultSchema>;
