import { z } from "zod";
import { DEFAULT_BACKLOG_THRESHOLDS } from "./queue-backlog-watch.ts";

const seconds = (min: number, max: number) => {
  const expected = `expected a whole number of seconds between ${min} and ${max}`;
  return z.number({ error: expected }).int({ error: expected }).min(min, { error: expected }).max(max, { error: expected });
};

/**
 * `queues:` in lambda-sim.yaml: CreateQueue's attributes in lowerCamelCase with AWS's ranges
 * (aws-facts §7). Dead-letter targets may be written `sqs:NAME`.
 */
export const queueConfigSchema = z.record(
  z.string().regex(/^[a-zA-Z0-9_-]{1,80}$|^[a-zA-Z0-9_-]{1,75}\.fifo$/, { error: "expected a queue name: letters, digits, - and _, 1-80 long, FIFO names ending in .fifo" }),
  z
    .strictObject({
      fifoQueue: z.boolean({ error: "expected true or false" }).optional(),
      contentBasedDeduplication: z.boolean({ error: "expected true or false" }).optional(),
      visibilityTimeout: seconds(0, 43_200).optional(),
      messageRetentionPeriod: seconds(60, 1_209_600).optional(),
      delaySeconds: seconds(0, 900).optional(),
      maximumMessageSize: z.number({ error: "expected bytes between 1024 and 1048576" }).int().min(1024, { error: "expected bytes between 1024 and 1048576" }).max(1_048_576, { error: "expected bytes between 1024 and 1048576" }).optional(),
      receiveMessageWaitTimeSeconds: seconds(0, 20).optional(),
      redrivePolicy: z
        .strictObject({
          deadLetterTargetArn: z.string({ error: "expected sqs:NAME or a queue ARN" }),
          maxReceiveCount: z.number({ error: "expected a whole number between 1 and 1000" }).int().min(1, { error: "expected a whole number between 1 and 1000" }).max(1000, { error: "expected a whole number between 1 and 1000" }),
        })
        .optional(),
      tags: z.record(z.string(), z.string(), { error: "expected a map of tag names to values" }).optional(),
    })
    .nullable()
    .transform((q) => q ?? {}),
  { error: "expected a map of queue names to queue settings" },
);

export type QueueConfig = z.output<typeof queueConfigSchema>;

/**
 * `sqs:` in lambda-sim.yaml: the simulator's settings of the SQS service (not one queue's).
 * `deletedQueueCooldownSeconds`: how long after DeleteQueue a queue of the same name may not be
 * created (AWS: 60 s, `QueueDeletedRecently`, aws-facts §7); 0 turns the rule off, for fixtures
 * that delete and recreate a queue. Service time: `clock advance 60s` lifts it on a virtual clock.
 */
export const sqsSettingsSchema = z.strictObject(
  {
    deletedQueueCooldownSeconds: seconds(0, 3600).default(60),
    // Our choice, not AWS's: the visible counts at which `tail` says a queue is backing up (queue-backlog-watch.ts); [] for none.
    backlogThresholds: z.array(z.number().int().min(1)).max(20).default([...DEFAULT_BACKLOG_THRESHOLDS]),
  },
  { error: "expected SQS settings such as { deletedQueueCooldownSeconds: 60, backlogThresholds: [10, 100, 1000, 10000] }" },
);

export type SqsSettings = z.output<typeof sqsSettingsSchema>;

/** The CreateQueue Attributes of one declared queue (`sqs:NAME` resolved with `arnOf`). */
export function queueAttributes(q: QueueConfig[string], arnOf: (name: string) => string): Record<string, string> {
  const out: Record<string, string> = {};
  const set = (k: string, v: unknown) => {
    if (v !== undefined) out[k] = String(v);
  };
  set("FifoQueue", q.fifoQueue);
  set("ContentBasedDeduplication", q.contentBasedDeduplication);
  set("VisibilityTimeout", q.visibilityTimeout);
  set("MessageRetentionPeriod", q.messageRetentionPeriod);
  set("DelaySeconds", q.delaySeconds);
  set("MaximumMessageSize", q.maximumMessageSize);
  set("ReceiveMessageWaitTimeSeconds", q.receiveMessageWaitTimeSeconds);
  if (q.redrivePolicy !== undefined) {
    const target = q.redrivePolicy.deadLetterTargetArn;
    const arn = target.startsWith("sqs:") ? arnOf(target.slice(4)) : target;
    out.RedrivePolicy = JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: q.redrivePolicy.maxReceiveCount });
  }
  return out;
}
