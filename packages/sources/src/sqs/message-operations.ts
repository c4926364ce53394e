import type { Clock, GroupCommit, RandomStream } from "@lambda-sim/core";
import { attributesSize, MessageSender, type SendInput } from "./message-sender.ts";
import { decodeReceipt, newReceiptHandle } from "./receipt-handles.ts";
import { receivedMessage, type ReceiveInput } from "./received-message.ts";
import { parseRedrivePolicy } from "./queue-attributes.ts";
import type { QueueOperations } from "./queue-operations.ts";
import type { MessageRow, QueueRow, QueueStore } from "./queue-store.ts";
import { sqsErrors } from "./sqs-errors.ts";
import { checkBatch, eachEntry, type BatchResult } from "./each-entry.ts";
import { VisibilityWatch } from "./visibility-watch.ts";
import { NotifyingWaiters } from "./queue-backlog-watch.ts";

/**
 * Message-level SQS operations: send (through MessageSender), receive
 * (visibility timeout, receive counts, redrive to the dead-letter queue, long polling on the
 * Clock), delete and change visibility, single and batched.
 */
export class MessageOperations {
  readonly waiters: NotifyingWaiters;
  /** When each queue's next message becomes visible, for the pollers waiting on it. */
  readonly visibility: VisibilityWatch;
  /** Told of every redrive to a dead-letter queue (the source reports it in telemetry). */
  onDeadLetter: (from: QueueRow, dlq: QueueRow, m: MessageRow, maxReceiveCount: number) => void = () => {};
  private readonly store: QueueStore;
  private readonly queues: QueueOperations;
  private readonly clock: Clock;
  private readonly ids: RandomStream;
  private readonly sender: MessageSender;
  private readonly commits: GroupCommit;

  constructor(store: QueueStore, queues: QueueOperations, clock: Clock, ids: RandomStream, commits: GroupCommit) {
    this.store = store;
    this.commits = commits;
    this.queues = queues;
    this.clock = clock;
    this.ids = ids;
    this.waiters = new NotifyingWaiters(clock, "sqs.long-poll");
    this.visibility = new VisibilityWatch(store, clock, this.waiters);
    this.sender = new MessageSender(store, clock, ids);
  }

  /**
   * A send inside a running transaction (a delivery from SNS or a destination); committed with it.
   * `traceHeader`: the sender's X-Ray trace (X-Amzn-Trace-Id), kept as the AWSTraceHeader.
   */
  sendMessage(input: SendInput, traceHeader?: string): Record<string, string> {
    const q = this.queues.resolve(input.QueueUrl);
    const out = this.store.transaction(() => this.sender.send(q, input, traceHeader));
    this.waiters.notify(q.name);
    return out;
  }

  /** SendMessage from a caller: answered once its message is committed, in the store's group commit. */
  sendMessageCommitted(input: SendInput, traceHeader?: string): Promise<Record<string, string>> {
    return this.committed(() => this.sendMessage(input, traceHeader));
  }

  sendMessageBatch(input: { QueueUrl?: string; Entries?: (SendInput & { Id?: string })[] }, traceHeader?: string): Promise<BatchResult<Record<string, string>>> {
    return this.committed(() => {
      const q = this.queues.resolve(input.QueueUrl);
      const entries = checkBatch(input.Entries, "SendMessageBatchRequestEntry");
      const total = entries.reduce((n, e) => n + Buffer.byteLength(e.MessageBody ?? "") + attributesSize(e.MessageAttributes), 0);
      if (total > 1_048_576) throw sqsErrors.batchTooLong(total);
      const result = this.store.transaction(() => eachEntry(entries, (e) => this.sender.send(q, e, traceHeader)));
      this.waiters.notify(q.name);
      return result;
    });
  }

  /**
   * Runs `send` in the store's group commit (sends that arrive together share one commit, as
   * Publish does): its queue is resolved and its checks run there, in a savepoint of its own, so
   * a failing send answers its own error and leaves the others.
   */
  private async committed<T>(send: () => T): Promise<T> {
    let out: T | undefined;
    await this.commits.write(() => {
      out = send();
    });
    return out as T;
  }

  /** ReceiveMessage with long polling: waits on the Clock up to WaitTimeSeconds for a message. */
  async receiveMessage(input: ReceiveInput, signal?: AbortSignal): Promise<{ Messages?: Record<string, unknown>[] }> {
    const q = this.queues.resolve(input.QueueUrl);
    const max = input.MaxNumberOfMessages ?? 1;
    if (!Number.isInteger(max) || max < 1 || max > 10) throw sqsErrors.invalidValue(max, "MaxNumberOfMessages", "Must be between 1 and 10, if provided.");
    const wait = input.WaitTimeSeconds ?? Number(q.attributes.ReceiveMessageWaitTimeSeconds ?? 0);
    if (!Number.isInteger(wait) || wait < 0 || wait > 20) throw sqsErrors.invalidValue(wait, "WaitTimeSeconds", "Must be >= 0 and <= 20, if provided.");
    const visibility = input.VisibilityTimeout ?? Number(q.attributes.VisibilityTimeout);
    if (!Number.isInteger(visibility) || visibility < 0 || visibility > 43_200) {
      throw sqsErrors.invalidValue(visibility, "VisibilityTimeout", "Must be >= 0 and <= 43200, if provided.");
    }
    const deadline = this.clock.now() + wait * 1000;
    let wallElapsed = false;
    for (;;) {
      const { rows: received, expired } = this.store.transaction(() => this.receive(q, max, visibility * 1000));
      if (expired) this.removed(q.name);
      if (received.length > 0) {
        const arnOf = (name: string) => this.queues.arn(name);
        return { Messages: received.map((m) => receivedMessage(q, m, input, arnOf)) };
      }
      const now = this.clock.now();
      if (now >= deadline || signal?.aborted || wallElapsed) return {};
      const next = this.store.nextVisibleAt(q.name, now);
      // A client's long poll: on the VirtualClock it also ends after its wait in wall time.
      wallElapsed = (await this.waiters.wait(q.name, Math.min(deadline, next ?? deadline) - now, signal, { wallBackstop: true })) === "wall-backstop";
    }
  }

  /**
   * For the event source mapping's poller: one receive pass, rows as stored, and whether more were
   * visible than it took. `deleteFirst` (a settled batch's handles) shares its transaction: one
   * commit per batch instead of two.
   */
  receiveRows(q: QueueRow, max: number, visibilityMs: number, deleteFirst?: { queue: QueueRow; handles: string[] }): { rows: MessageRow[]; more: boolean } {
    // Unlike the other deletes (`deleted`), nobody is told: this receive takes what a FIFO delete
    // unblocked and says if there is more, and the poller watches the queue's next visible message
    // (VisibilityWatch.watch) before it waits, so the timer is put right before anything can jump to it.
    const out = this.store.transaction(() => {
      if (deleteFirst !== undefined) this.deleteEach(deleteFirst.queue, deleteFirst.handles);
      return this.receive(q, max, visibilityMs, true);
    });
    // Expired messages are told: the timer a sibling lane waits on may stand for one of them, and
    // this lane may not wait (and watch again) before the clock reaches it.
    if (out.expired) this.removed(q.name);
    return out;
  }

  /**
   * For the poller: deletes what a batch's successful messages left behind. A handle that is no
   * longer current (the visibility timeout ended during the invocation and the message was
   * received again; FIFO calls that expired) leaves its message to be delivered again, at least
   * once, and does not stop the others being deleted.
   */
  deleteHandles(q: QueueRow, handles: string[], opts?: { receivingAgain?: boolean }): void {
    this.store.transaction(() => this.deleteEach(q, handles));
    this.deleted(q, opts?.receivingAgain === true);
  }

  private deleteEach(q: QueueRow, handles: string[]): void {
    for (const h of handles) {
      try {
        this.delete(q, h);
      } catch {
        // expired receipt handle: the message stays
      }
    }
  }

  deleteMessage(input: { QueueUrl?: string; ReceiptHandle?: string }): Record<string, never> {
    const q = this.queues.resolve(input.QueueUrl);
    this.store.transaction(() => this.delete(q, input.ReceiptHandle));
    this.deleted(q);
    return {};
  }

  deleteMessageBatch(input: { QueueUrl?: string; Entries?: { Id?: string; ReceiptHandle?: string }[] }): BatchResult<Record<string, string>> {
    const q = this.queues.resolve(input.QueueUrl);
    const entries = checkBatch(input.Entries, "DeleteMessageBatchRequestEntry");
    const result = this.store.transaction(() => eachEntry(entries, (e) => this.delete(q, e.ReceiptHandle)));
    this.deleted(q);
    return result;
  }

  /**
   * After deletes: on a FIFO queue the group a deleted message blocked is receivable again
   * (aws-facts §6 FIFO ordering), so the waiters are told, as for a send, unless the deleting
   * poller lane is `receivingAgain` itself (its filters dropped the messages, sqs-poller.ts): a
   * sibling woken then would find an empty receive, as for receiveRows' deletes.
   */
  private deleted(q: QueueRow, receivingAgain = false): void {
    if (q.fifo && !receivingAgain) this.waiters.notify(q.name);
    this.removed(q.name);
  }

  /**
   * Messages left `queue` other than by a receive: deleted, purged, moved by a move task, expired
   * past the retention period, or the queue itself deleted. One of them may be the message a
   * waiting poller's timer stands for (VisibilityWatch): the timer moves to the next or goes.
   */
  removed(queue: string): void {
    this.visibility.recheck(queue);
  }

  changeMessageVisibility(input: { QueueUrl?: string; ReceiptHandle?: string; VisibilityTimeout?: number }): Record<string, never> {
    const q = this.queues.resolve(input.QueueUrl);
    this.store.transaction(() => this.changeVisibility(q, input.ReceiptHandle, input.VisibilityTimeout));
    this.waiters.notify(q.name);
    return {};
  }

  changeMessageVisibilityBatch(input: { QueueUrl?: string; Entries?: { Id?: string; ReceiptHandle?: string; VisibilityTimeout?: number }[] }): BatchResult<Record<string, string>> {
    const q = this.queues.resolve(input.QueueUrl);
    const entries = checkBatch(input.Entries, "ChangeMessageVisibilityBatchRequestEntry");
    const result = this.store.transaction(() => eachEntry(entries, (e) => this.changeVisibility(q, e.ReceiptHandle, e.VisibilityTimeout)));
    this.waiters.notify(q.name);
    return result;
  }

  /**
   * One receive pass: retention, redrive, FIFO group blocking, visibility (aws-facts §7), and
   * whether any message had expired. With `peek`, also whether another message was visible (one
   * row more is read).
   */
  private receive(q: QueueRow, max: number, visibilityMs: number, peek = false): { rows: MessageRow[]; more: boolean; expired: boolean } {
    const now = this.clock.now();
    const expired = this.store.expire(q.name, now - Number(q.attributes.MessageRetentionPeriod) * 1000);
    const redrive = parseRedrivePolicy(q.attributes.RedrivePolicy);
    const dlq = redrive === undefined ? undefined : this.queues.byArn(redrive.deadLetterTargetArn);
    const taken: MessageRow[] = [];
    let more = false;
    // Reads only as many rows as it still needs (each row carries its body), again after redrives.
    for (let moved = -1; moved !== 0 && taken.length < max; ) {
      moved = 0;
      // FIFO: a group with a message in flight is left out until it is deleted, becomes visible
      // again or is redriven (aws-facts §6 FIFO ordering); its later messages wait behind it.
      const want = max - taken.length;
      const limit = peek ? want + 1 : want;
      const candidates = q.fifo ? this.store.visibleFifoMessages(q.name, now, limit) : this.store.visibleMessages(q.name, now, limit);
      for (const m of candidates) {
        if (taken.length >= max) {
          more = true;
          break;
        }
        // Moved when this receive would exceed maxReceiveCount.
        if (redrive !== undefined && dlq !== undefined && m.receiveCount >= redrive.maxReceiveCount) {
          this.store.moveMessage(m.seq, dlq.name, now, q.name);
          this.waiters.notify(dlq.name);
          this.onDeadLetter(q, dlq, m, redrive.maxReceiveCount);
          moved++;
          continue;
        }
        const handle = newReceiptHandle(q.name, m.messageId, m.seq, this.ids);
        this.store.markReceived(m.seq, now + visibilityMs, now, handle);
        taken.push({ ...m, receiveCount: m.receiveCount + 1, firstReceiveAt: m.firstReceiveAt ?? now, receiptHandle: handle, visibleAt: now + visibilityMs });
      }
      if (candidates.length < limit) break;
    }
    return { rows: taken, more, expired };
  }

  private delete(q: QueueRow, handle: string | undefined): void {
    const decoded = decodeReceipt(handle);
    if (decoded === undefined || decoded.queue !== q.name) throw sqsErrors.receiptHandleIsInvalid(handle ?? "");
    if (this.store.deleteByReceipt(q.name, handle!, decoded.seq)) return;
    // An older receipt handle: FIFO refuses it; standard answers success without deleting.
    if (q.fifo && (decoded.seq === undefined ? this.store.byMessageId(decoded.messageId) !== undefined : this.store.exists(decoded.seq))) {
      throw sqsErrors.invalidValue(handle, "ReceiptHandle", "The receipt handle has expired.");
    }
  }

  private changeVisibility(q: QueueRow, handle: string | undefined, timeout: number | undefined): void {
    if (timeout === undefined) throw sqsErrors.missingParameter("VisibilityTimeout");
    if (!Number.isInteger(timeout) || timeout < 0 || timeout > 43_200) {
      throw sqsErrors.invalidValue(timeout, "VisibilityTimeout", "Must be >= 0 and <= 43200, if provided.");
    }
    const decoded = decodeReceipt(handle);
    if (decoded === undefined || decoded.queue !== q.name) throw sqsErrors.receiptHandleIsInvalid(handle ?? "");
    const m = this.store.byReceipt(q.name, handle!, decoded.seq);
    const now = this.clock.now();
    if (m === undefined || m.visibleAt <= now) throw sqsErrors.messageNotInflight();
    this.store.setVisibleAt(m.seq, now + timeout * 1000);
  }


}
