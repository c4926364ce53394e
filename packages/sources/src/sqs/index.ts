import { loadMigrations, type Source } from "@lambda-sim/core";
import { MessageOperations } from "./message-operations.ts";
import { QueueOperations } from "./queue-operations.ts";
import { QueueStore } from "./queue-store.ts";
import { sqsJsonHandler, type SqsOperation } from "./json-protocol.ts";

let messages: MessageOperations | undefined;

/**
 * The SQS source (DESIGN.md `Source`): durable queues in SQLite on the SQS wire protocol. The
 * event source mapping poller and the query protocol come next (issue 4, still open).
 */
export const sqsSource: Source = {
  name: "sqs",
  migrations: loadMigrations("sqs", new URL("./migrations/", import.meta.url)),
  start(ctx) {
    const store = new QueueStore(ctx.store);
    const queues = new QueueOperations(store, ctx.clock, ctx);
    messages = new MessageOperations(store, queues, ctx.clock, ctx.rng.stream("sqs-ids"));
    const m = messages;
    const ops: Record<string, SqsOperation> = {
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
      SendMessage: (i) => m.sendMessage(i),
      SendMessageBatch: (i) => m.sendMessageBatch(i),
      ReceiveMessage: (i, signal) => m.receiveMessage(i, signal),
      DeleteMessage: (i) => m.deleteMessage(i),
      DeleteMessageBatch: (i) => m.deleteMessageBatch(i),
      ChangeMessageVisibility: (i) => m.changeMessageVisibility(i),
      ChangeMessageVisibilityBatch: (i) => m.changeMessageVisibilityBatch(i),
    };
    ctx.router.addService("sqs", sqsJsonHandler(ops));
  },
  stop() {
    messages?.waiters.wakeAll();
  },
};
