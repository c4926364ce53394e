import type { Clock, RandomStream } from "@lambda-sim/core";
import type { MessageOperations } from "./message-operations.ts";
import { parseRedrivePolicy } from "./queue-attributes.ts";
import type { QueueOperations } from "./queue-operations.ts";
import type { QueueStore } from "./queue-store.ts";
import { sqsErrors } from "./sqs-errors.ts";

interface MoveTask {
  TaskHandle: string;
  Status: "RUNNING" | "COMPLETED" | "CANCELLING" | "CANCELLED" | "FAILED";
  SourceArn: string;
  DestinationArn?: string;
  ApproximateNumberOfMessagesMoved: number;
  ApproximateNumberOfMessagesToMove: number;
  StartedTimestamp: number;
}

/**
 * Dead-letter queue redrive (StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask):
 * messages go back to the queue they were redriven from, or to DestinationArn. lambda-sim moves
 * them at once, ignoring MaxNumberOfMessagesPerSecond (our choice: a local DLQ is small), so a task
 * is COMPLETED when it is listed.
 */
export class MessageMoveTasks {
  private readonly store: QueueStore;
  private readonly queues: QueueOperations;
  private readonly messages: Pick<MessageOperations, "waiters" | "removed">;
  private readonly clock: Clock;
  private readonly ids: RandomStream;
  private readonly tasks: MoveTask[] = [];

  constructor(store: QueueStore, queues: QueueOperations, messages: Pick<MessageOperations, "waiters" | "removed">, clock: Clock, ids: RandomStream) {
    this.store = store;
    this.queues = queues;
    this.messages = messages;
    this.clock = clock;
    this.ids = ids;
  }

  start(input: { SourceArn?: string; DestinationArn?: string }): { TaskHandle: string } {
    if (!input.SourceArn) throw sqsErrors.missingParameter("SourceArn");
    const source = this.queues.byArn(input.SourceArn);
    if (source === undefined) throw sqsErrors.queueDoesNotExist();
    const isDlq = this.store.listQueues().some((q) => parseRedrivePolicy(q.attributes.RedrivePolicy)?.deadLetterTargetArn === input.SourceArn);
    if (!isDlq) throw sqsErrors.invalidParameterValue("Source queue must be configured as a Dead Letter Queue.");
    const destination = input.DestinationArn === undefined ? undefined : this.queues.byArn(input.DestinationArn);
    if (input.DestinationArn !== undefined && destination === undefined) throw sqsErrors.queueDoesNotExist();
    const now = this.clock.now();
    const messages = this.store.movable(source.name);
    const touched = new Set<string>();
    this.store.transaction(() => {
      for (const m of messages) {
        const to = destination?.name ?? m.deadLetterSource;
        if (to === null || this.store.getQueue(to) === undefined) continue;
        this.store.moveMessage(m.seq, to, now);
        touched.add(to);
      }
    });
    for (const q of touched) this.messages.waiters.notify(q);
    // Every message goes, those in flight included: a poller's timer may stand for one of them.
    if (touched.size > 0) this.messages.removed(source.name);
    const task: MoveTask = {
      TaskHandle: Buffer.from(JSON.stringify({ taskId: this.ids.uuid(), sourceArn: input.SourceArn })).toString("base64"),
      Status: "COMPLETED",
      SourceArn: input.SourceArn,
      DestinationArn: input.DestinationArn,
      ApproximateNumberOfMessagesMoved: messages.length,
      ApproximateNumberOfMessagesToMove: messages.length,
      StartedTimestamp: now,
    };
    this.tasks.push(task);
    return { TaskHandle: task.TaskHandle };
  }

  list(input: { SourceArn?: string; MaxResults?: number }): { Results: Omit<MoveTask, "TaskHandle">[] } {
    const mine = this.tasks.filter((t) => t.SourceArn === input.SourceArn).reverse().slice(0, input.MaxResults ?? 1);
    return { Results: mine.map(({ TaskHandle: _handle, ...rest }) => rest) };
  }

  cancel(input: { TaskHandle?: string }): never {
    const task = this.tasks.find((t) => t.TaskHandle === input.TaskHandle);
    if (task === undefined) throw sqsErrors.invalidParameterValue("Value for parameter TaskHandle is invalid.");
    throw sqsErrors.unsupportedOperation("Task is not running.");
  }
}
