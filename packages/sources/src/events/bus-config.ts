import { z } from "zod";
import { compilePattern, isInvalidEventPattern } from "@lambda-sim/core";
import type { EventTarget, RuleDefinition } from "./event-store.ts";

const name = (what: string) => z.string().regex(/^[.\-_A-Za-z0-9]{1,64}$/, { error: `expected a ${what} name of 1-64 letters, digits, ., - or _` });
const whole = (min: number, max: number) => {
  const expected = `expected a whole number between ${min} and ${max}`;
  return z.number({ error: expected }).int({ error: expected }).min(min, { error: expected }).max(max, { error: expected });
};
const json = z.union([z.string(), z.record(z.string(), z.unknown())], { error: "expected JSON text or an object" });
const pattern = json.superRefine((p, ctx) => {
  try {
    compilePattern(typeof p === "string" ? p : JSON.stringify(p));
  } catch (e) {
    if (!isInvalidEventPattern(e)) throw e;
    ctx.addIssue({ code: "custom", message: `expected a valid event pattern (${e.reason})` });
  }
});

const target = z.strictObject({
  id: name("target").optional(),
  arn: z.string({ error: "expected lambda:NAME, sqs:NAME, sns:NAME, kinesis:NAME, an event bus ARN or another ARN" }),
  input: json.optional(),
  inputPath: z.string().optional(),
  inputTransformer: z.strictObject({ inputPathsMap: z.record(z.string(), z.string()).optional(), inputTemplate: z.string() }).optional(),
  retryPolicy: z.strictObject({ maximumRetryAttempts: whole(0, 185).optional(), maximumEventAgeInSeconds: whole(60, 86_400).optional() }).optional(),
  deadLetterConfig: z.strictObject({ arn: z.string() }).optional(),
  sqsParameters: z.strictObject({ messageGroupId: z.string() }).optional(),
  /** A stream target's partition key: a JSON path into the event (the event id by default). */
  kinesisParameters: z.strictObject({ partitionKeyPath: z.string() }).optional(),
});

const rule = z.strictObject({
  eventPattern: pattern,
  state: z.enum(["ENABLED", "DISABLED"], { error: "expected ENABLED or DISABLED" }).default("ENABLED"),
  description: z.string().max(512).optional(),
  targets: z.array(target).max(5, { error: "expected at most 5 targets (EventBridge's limit per rule)" }).default([]),
});

/**
 * `buses:` in lambda-sim.yaml: event buses (`default` is always there) and their pattern rules,
 * PutRule's and PutTargets' parameters in lowerCamelCase. Targets may be written `lambda:NAME`,
 * `sqs:NAME` or by ARN; `eventPattern` and `input` may be JSON text or a YAML object.
 */
export const busConfigSchema = z.record(
  name("bus"),
  z.strictObject({
    description: z.string().max(512).optional(),
    rules: z.record(name("rule"), rule).default({}),
  }),
);

export type BusConfig = z.infer<typeof busConfigSchema>;
type RuleConfig = z.infer<typeof rule>;

/** A rule of the file in the API's names, its targets' short names expanded to ARNs. */
export function ruleDefinition(r: RuleConfig, arnOf: (ref: string) => string): RuleDefinition {
  const text = (v: string | Record<string, unknown> | undefined) => (v === undefined || typeof v === "string" ? v : JSON.stringify(v));
  return {
    EventPattern: text(r.eventPattern)!,
    State: r.state,
    Description: r.description,
    Targets: r.targets.map(
      (t, i): EventTarget => ({
        Id: t.id ?? `target-${i + 1}`,
        Arn: arnOf(t.arn),
        Input: text(t.input),
        InputPath: t.inputPath,
        InputTransformer: t.inputTransformer && { InputPathsMap: t.inputTransformer.inputPathsMap, InputTemplate: t.inputTransformer.inputTemplate },
        RetryPolicy: t.retryPolicy && { MaximumRetryAttempts: t.retryPolicy.maximumRetryAttempts, MaximumEventAgeInSeconds: t.retryPolicy.maximumEventAgeInSeconds },
        DeadLetterConfig: t.deadLetterConfig && { Arn: arnOf(t.deadLetterConfig.arn) },
        SqsParameters: t.sqsParameters && { MessageGroupId: t.sqsParameters.messageGroupId },
        KinesisParameters: t.kinesisParameters && { PartitionKeyPath: t.kinesisParameters.partitionKeyPath },
      }),
    ),
  };
}
