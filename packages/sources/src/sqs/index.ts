import { loadMigrations, traceHeaderOf, registerShortName, SimError, isAwsError, namesInTable, type Operation, type Source } from "@lambda-sim/core";
import { queueAttributes, queueConfigSchema, sqsSettingsSchema, type QueueConfig, type SqsSettings } from "./queue-config.ts";
import { MessageOperations } from "./message-operations.ts";
import { QueueOperations } from "./queue-operations.ts";
import { QueueStore, type QueueRow } from "./queue-store.ts";
import { registerSqsProtocols } from "./sqs-protocol.ts";
import { sqsPollerFactory } from "./sqs-poller.ts";
import { MessageMoveTasks } from "./message-move-tasks.ts";
import { DeadLetterLedger } from "./dead-letter-ledger.ts";
import { parseRedrivePolicy } from "./queue-attributes.ts";
import { QUEUE_ACTIVITY, QueueActivity, queueNameOf } from "./queue-activity.ts";
import { QueueBacklogWatch } from "./queue-backlog-watch.ts";

// `sqs:NAME` in lambda-sim.yaml (destinations, DLQs, mappings, schedule targets).
registerShortName("sqs", (name, region, accountId) => `arn:aws:sqs:${region}:${accountId}:${name}`);

/**
 * The SQS source (DESIGN.md `Source`): durable queues in SQLite on both SQS wire protocols, the
 * poller of SQS event source mappings (with FilterCriteria), and the `sqs:` target.
 */
export const sqsSource: Source<QueueConfig, SqsSettings> = {
  name: "sqs",
  configKey: "queues",
  mappingKinds: { sqs: "queue" },
  configSchema: queueConfigSchema,
  settingsKey: "sqs",
  settingsSchema: sqsSettingsSchema,
  migrations: loadMigrations("sqs", new URL("./migrations/", import.meta.url)),
  namesInState: (store) => ({ queue: namesInTable(store, "sqs_queues") }),
  start(ctx, config, settings) {
    const store = new QueueStore(ctx.store);
    const queues = new QueueOperations(store, ctx.clock, { ...ctx, deletedQueueCooldownSeconds: settings?.deletedQueueCooldownSeconds });
    declareQueues(queues, config ?? {});
    ctx.addSimRoute("/_sim/queues/:name/messages", ({ name }) => {
      let q: QueueRow;
      try {
        q = queues.resolve(name);
      } catch {
        // A template's logical id is not a queue's name (walk39): say which names there are.
        const names = store.listQueues().map((r) => r.name);
        throw new Error(`no queue named '${name}' (the simulator has: ${names.length === 0 ? "none" : names.join(", ")}); a template's queue is named as the start listed it, not by its logical id`);
      }
      // As stored: reading here changes neither visibility nor receive counts.
      return store.peek(q.name, 1000).map((m) => ({
        messageId: m.messageId,
        body: m.body,
        sentTimestamp: m.sentAt,
        visible: m.visibleAt <= ctx.clock.now(),
        receiveCount: m.receiveCount,
        messageGroupId: m.groupId ?? undefined,
      }));
    });
    const commits = ctx.store.commits;
    const m = new MessageOperations(store, queues, ctx.clock, ctx.rng.stream("sqs-ids"), commits);
    // Redrives are reported, saying when the function never ran with the message (issue 15).
    const ledger = new DeadLetterLedger((seqs, never) => store.transaction(() => seqs.forEach((seq) => store.setNeverReachedFunction(seq, never))));
    m.onDeadLetter = (from, dlq, msg, maxReceiveCount) => {
      const stoppedInLoop = ledger.wasStopped(msg.messageId);
      const reachedFunction = ledger.moved(from.name, msg.messageId, stoppedInLoop, msg.neverReachedFunction === true);
      ctx.telemetry.emit({ type: "message.moved-to-dlq", queue: from.name, deadLetterQueue: dlq.name, messageId: msg.messageId, receiveCount: msg.receiveCount, maxReceiveCount, reachedFunction, ...(stoppedInLoop ? { stoppedInLoop } : {}) });
    };
    // The queue filling, as tail and the page tell it (newuser14 F23).
    const backlog = new QueueBacklogWatch(store, ctx.clock, (c) => ctx.telemetry.emit({ type: "queue.backlog", ...c }), settings?.backlogThresholds);
    m.waiters.onNotify = (name) => backlog.poke(name);
    const deadLetters = ledger.byQueue.bind(ledger);
    ctx.addStateView("queues", () => {
      const now = ctx.clock.now();
      const moved = deadLetters();
      return store.listQueues().map((q) => {
        const oldest = store.oldestSentAt(q.name);
        return {
          name: q.name,
          fifo: q.fifo,
          ...store.counts(q.name, now),
          // ApproximateAgeOfOldestMessage as the AWS/SQS gauge has it (sqs-gauges.ts): whole seconds, 0 when empty.
          ageOfOldestMessageSeconds: oldest === undefined ? 0 : Math.max(0, Math.floor((now - oldest) / 1000)),
          deadLetterQueue: queues.byArn(parseRedrivePolicy(q.attributes.RedrivePolicy)?.deadLetterTargetArn ?? "")?.name,
          deadLetters: moved[q.name] ?? { moved: 0, neverReachedFunction: 0, stoppedInLoop: 0 },
        };
      });
    });
    const moves = new MessageMoveTasks(store, queues, m, ctx.clock, ctx.rng.stream("sqs-move-tasks"));
    // A purge or a queue's deletion takes its in-flight messages: pollers stop waiting on them.
    queues.onRemoved = (name) => {
      m.removed(name);
      backlog.poke(name);
    };
    const ops: Record<string, Operation> = {
      CreateQueue: (i) => queues.createQueue(i),
      GetQueueUrl: (i) => queues.getQueueUrl(i),
      ListQueues: (i) => queues.listQueues(i),
      DeleteQueue: (i) => queues.deleteQueue(i),
      GetQueueAttributes: (i) => queues.getQueueAttributes(i),
      SetQueueAttributes: (i) => queues.setQueueAttributes(i),
      PurgeQueue: (i) => queues.purgeQueue(i),
      TagQueue: (i) => queues.tagQueue(i),
      UntagQueue: (i) => queues.untagQueue(i),
      ListQueueTags: (i) => queues.listQueueTags(i),
      ListDeadLetterSourceQueues: (i) => queues.listDeadLetterSourceQueues(i),
      // The sender's X-Ray trace (the SDKs send the function's on, recursive-loop.ts) becomes AWSTraceHeader.
      SendMessage: (i, c) => m.sendMessageCommitted(i, traceHeaderOf(c.headers)),
      SendMessageBatch: (i, c) => m.sendMessageBatch(i, traceHeaderOf(c.headers)),
      ReceiveMessage: (i, c) => m.receiveMessage(i, c.signal),
      DeleteMessage: (i) => m.deleteMessage(i),
      DeleteMessageBatch: (i) => m.deleteMessageBatch(i),
      ChangeMessageVisibility: (i) => m.changeMessageVisibility(i),
      ChangeMessageVisibilityBatch: (i) => m.changeMessageVisibilityBatch(i),
      StartMessageMoveTask: (i) => moves.start(i),
      ListMessageMoveTasks: (i) => moves.list(i),
      CancelMessageMoveTask: (i) => moves.cancel(i),
    };
    const activity = new QueueActivity();
    ctx.share(QUEUE_ACTIVITY, activity);
    ctx.registerPoller("sqs", sqsPollerFactory(queues, m, ctx.clock, ctx.region, ledger, activity));
    // Async destinations and dead-letter queues deliver to queues through this (DESIGN.md `Target`).
    ctx.registerTarget("sqs", {
      deliver: async (arn, body, attributes, options) => {
        const q = queues.byArn(arn);
        if (q === undefined) throw new Error(`the queue ${arn} does not exist`);
        activity.touch(q.name, ctx.clock.now());
        // A FIFO topic's delivery keeps its group and deduplication id (SNS FIFO to SQS FIFO).
        m.sendMessage({ QueueUrl: queues.url(q.name), MessageBody: body, MessageAttributes: attributes, MessageGroupId: options?.messageGroupId, MessageDeduplicationId: options?.messageDeduplicationId }, options?.traceHeader);
      },
    });
    // One set of operations behind two front ends: JSON 1.0 (X-Amz-Target) and the query protocol.
    registerSqsProtocols(ctx, touching(ops, activity, ctx.clock, (name) => store.getQueue(name) !== undefined), (name) => queues.url(name));
    // Long polls in progress return (empty) instead of holding the shutdown.
    return {
      stop: () => {
        commits.flush(); // sends read before the stop are answered, as committed
        m.waiters.wakeAll();
        m.visibility.stop();
        backlog.stop();
      },
    };
  },
};

/**
 * The operations, each recording that it accessed its queue (QueueActivity: SQS publishes a
 * queue's metrics while any action accesses it), whether it succeeds or not (AWS's guide notes an
 * unauthorized call activates a queue too), once the queue exists (after CreateQueue's own call):
 * names of queues that do not exist are not kept.
 */
function touching(ops: Record<string, Operation>, activity: QueueActivity, clock: { now(): number }, exists: (name: string) => boolean): Record<string, Operation> {
  const out: Record<string, Operation> = {};
  for (const [name, op] of Object.entries(ops)) {
    out[name] = (input, c) => {
      const named = input.QueueUrl ?? input.QueueName ?? input.SourceArn;
      const queue = typeof named === "string" && named !== "" ? queueNameOf(named) : undefined;
      try {
        return op(input, c);
      } finally {
        if (queue !== undefined && exists(queue)) activity.touch(queue, clock.now());
      }
    };
  }
  return out;
}

/**
 * Queues from lambda-sim.yaml: created when missing, their attributes set to the file's when they
 * differ (the file is authoritative), redrive targets after every queue exists.
 */
function declareQueues(queues: QueueOperations, config: QueueConfig): void {
  const names = Object.keys(config);
  try {
    for (const name of names) {
      const { RedrivePolicy: _later, ...attributes } = queueAttributes(config[name]!, (n) => queues.arn(n));
      const { QueueUrl } = queues.createQueueOrUpdate(name, attributes, config[name]!.tags);
      void QueueUrl;
    }
    for (const name of names) {
      const redrive = queueAttributes(config[name]!, (n) => queues.arn(n)).RedrivePolicy;
      queues.setQueueAttributes({ QueueUrl: name, Attributes: { RedrivePolicy: redrive ?? "" } });
    }
  } catch (e) {
    if (isAwsError(e)) throw new SimError("ERR_CONFIG", `queues: ${e.message}`);
    throw e;
  }
}
