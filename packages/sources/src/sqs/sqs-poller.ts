import type { BatchOutcome, Clock, PolledBatch, Poller, PollerFactory, PollerLimits, PollerScaling, PollerTarget } from "@lambda-sim/core";
import { lambdaErrors, matchesFilters, parseFilterData, whileHeld } from "@lambda-sim/core";
import type { DeadLetterLedger } from "./dead-letter-ledger.ts";
import type { QueueActivity } from "./queue-activity.ts";
import type { MessageOperations } from "./message-operations.ts";
import type { QueueOperations } from "./queue-operations.ts";
import type { MessageRow, QueueRow } from "./queue-store.ts";

/** Receives a lane makes in one turn of the event loop when each left its batch room (filtered or stopped messages). */
const RECEIVES_A_TURN = 10;

/**
 * The rest of the lane waits for one turn of the event loop (I/O first), holding the clock: a
 * VirtualClock must not move on in the middle of the walk (review22 R22-5).
 */
const nextTurn = (clock: Clock) => whileHeld(clock, "sqs.receiving-again", () => new Promise<void>((resume) => setImmediate(resume)));

/** A batch is cut at the 6 MB synchronous invoke limit, metadata included (aws-facts §6). */
export const MAX_BATCH_BYTES = 6 * 1024 * 1024 - 64 * 1024;
/** The poller long-polls like Lambda's: 20 s per ReceiveMessage. */
export const LONG_POLL_MS = 20_000;

/** SQS ESM scaling (aws-facts §6): 5 concurrent batches to start, +300 per minute, at most 1,250. */
export const SQS_SCALING: PollerScaling = { initial: 5, perMinute: 300, ceiling: 1250 };

/**
 * BatchSize on an SQS mapping (aws-facts §6): default 10; at most 10,000 on a standard queue, 10 on
 * a FIFO queue (its ARN ends in `.fifo`); above 10 it needs a batching window of at least 1 s.
 */
export const SQS_MAPPING_LIMITS: { standard: PollerLimits; fifo: PollerLimits } = {
  standard: { defaultBatchSize: 10, maxBatchSize: 10_000, windowRequiredAbove: 10 },
  fifo: { defaultBatchSize: 10, maxBatchSize: 10, windowRequiredAbove: 10 },
};

/**
 * The SQS side of an event source mapping (aws-facts §6): long-polls the queue, builds the
 * `{"Records":[...]}` event in AWS's key order, and deletes what succeeded. Failed messages are
 * left alone: they come back when their visibility timeout ends, and the queue's redrive policy
 * moves them to its dead-letter queue.
 */
export function sqsPollerFactory(queues: QueueOperations, messages: MessageOperations, clock: Clock, region: string, ledger: DeadLetterLedger, activity?: QueueActivity): PollerFactory {
  const queueFor = (arn: string): QueueRow => {
    const q = queues.byArn(arn);
    if (q === undefined) {
      throw new Error("Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist.");
    }
    return q;
  };
  return {
    kind: "SQS",
    scaling: SQS_SCALING,
    limits: (sourceArn) => (sourceArn.endsWith(".fifo") ? SQS_MAPPING_LIMITS.fifo : SQS_MAPPING_LIMITS.standard),
    validate(t: PollerTarget) {
      const q = queues.byArn(t.sourceArn);
      if (q === undefined) throw lambdaErrors.invalidParameterValue(`Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist.`);
      const visibility = Number(q.attributes.VisibilityTimeout);
      if (t.functionTimeoutSeconds > visibility) {
        throw lambdaErrors.invalidParameterValue(`Queue visibility timeout: ${visibility} seconds is less than Function timeout: ${t.functionTimeoutSeconds} seconds`);
      }
      if (q.fifo && t.batchWindowSeconds > 0) throw lambdaErrors.invalidParameterValue("Batching window is not supported for FIFO queues");
    },
    create(t: PollerTarget): Poller {
      const handles = new WeakMap<PolledBatch, Map<string, string>>();
      // This mapping's lanes wait as one group: a send wakes one of them, not all (KeyedWaiters.notify).
      const lanes = {};
      // A settled batch's deletes ride on the lane's next receive (it polls again at once), or are
      // committed on their own before this turn of the event loop ends.
      let settled: { queue: QueueRow; handles: string[] } | undefined;
      const flushSettled = () => {
        const s = settled;
        settled = undefined;
        if (s === undefined || s.handles.length === 0) return;
        try {
          messages.deleteHandles(s.queue, s.handles);
        } catch {
          // Outside the lane's own error handling (a microtask): the messages come back when their
          // visibility timeout ends, as any message whose delete did not happen (at-least-once).
        }
      };
      return {
        async poll(max, windowMs, signal) {
          let q = queueFor(t.sourceArn);
          // If window + timeout exceed the visibility timeout, Lambda extends it by 30 s (aws-facts §6).
          const queueVisibility = Number(q.attributes.VisibilityTimeout) * 1000;
          const needed = windowMs + t.functionTimeoutSeconds * 1000;
          const visibilityMs = needed > queueVisibility ? needed + 30_000 : queueVisibility;
          const rows: MessageRow[] = [];
          let more = false;
          let bytes = 0;
          const started = clock.now();
          let againAtOnce = 0;
          while (!signal.aborted) {
            const deletes = settled;
            settled = undefined;
            let received: MessageRow[];
            // Lambda's poll is a ReceiveMessage: an action that keeps the queue's metrics published.
            activity?.touch(q.name, clock.now());
            try {
              ({ rows: received, more } = messages.receiveRows(q, max - rows.length, visibilityMs, deletes));
            } catch (e) {
              // The receive failed and took the deletes with it: they are done on their own.
              settled = deletes;
              flushSettled();
              throw e;
            }
            const dropped: string[] = [];
            let stopped = 0;
            /** FIFO groups with a message stopped in this receive: their later messages wait with it. */
            let heldGroups: Set<string> | undefined;
            for (const m of received) {
              // Filtered first: a message the filters drop is deleted, as AWS deletes it, loop or not (review20 R20-14).
              if (t.filters !== undefined && !matchesFilters(t.filters, filterView(m, q, queues.arn(q.name), region))) {
                dropped.push(m.receiptHandle!);
                continue;
              }
              // Deep in a recursive loop: not delivered; it stays in flight, and its receive count
              // takes it to the dead-letter queue as a stopped batch's would (invocation-recursion).
              // On a FIFO queue its group's later messages stay with it, in order (review20 R20-8);
              // a standard queue's group ids (fair queues) order nothing, so its others run (review21 R21-10).
              const group = q.fifo ? (m.groupId ?? undefined) : undefined;
              const held = group !== undefined && heldGroups?.has(group) === true;
              if (held || (m.traceHeader !== undefined && t.stopsLoop?.(m.traceHeader, m.messageId) === true)) {
                if (group !== undefined) (heldGroups ??= new Set()).add(group);
                // Only the message the loop rule refused is marked: one held behind it carried no loop (R21-2).
                if (!held) ledger.stoppedInLoop(m.messageId);
                stopped++;
                continue;
              }
              rows.push(m);
              bytes += Buffer.byteLength(m.body) + 1024;
            }
            // Lambda deletes the messages its filters drop (aws-facts §6 "Filtering"); a batch
            // left empty is not an invocation, the poll goes on. The drops left room in the batch
            // (this receive asked for no more than it had), so this lane receives again at once:
            // it takes the FIFO groups they unblocked, and no sibling is woken for an empty receive.
            // A queue full of messages the filters drop or the loop rule stops is walked a few
            // receives a turn, not in one: the simulator answers meanwhile (review20 R20-10).
            if (dropped.length > 0) {
              messages.deleteHandles(q, dropped, { receivingAgain: true });
              if (++againAtOnce % RECEIVES_A_TURN === 0) await nextTurn(clock);
              continue;
            }
            // Stopped ones likewise left room: the lane receives again (they are invisible now).
            if (stopped > 0 && rows.length < max) {
              if (++againAtOnce % RECEIVES_A_TURN === 0) await nextTurn(clock);
              continue;
            }
            const now = clock.now();
            if (rows.length >= max || bytes >= MAX_BATCH_BYTES || (rows.length > 0 && now - started >= windowMs)) break;
            let until = rows.length > 0 ? started + windowMs : started + Math.max(LONG_POLL_MS, windowMs);
            // A long poll returns a message as soon as it becomes visible (its delay or visibility
            // timeout runs out; WaitTimeSeconds up to 20, aws-facts §7). That instant is work, kept
            // by the queue's VisibilityWatch (moved or cancelled when messages are deleted); the
            // poll's own wait is housekeeping (unref), so a lane waiting on a message another lane
            // has in flight never keeps run-until-idle going once that message is deleted. A lane
            // holding messages for its batching window waits as work: they are in flight meanwhile.
            const next = rows.length === 0 ? messages.visibility.watch(q.name) : undefined;
            if (next !== undefined) until = Math.min(until, next);
            if (now >= until) break;
            await messages.waiters.wait(q.name, until - now, signal, { group: lanes, unref: rows.length === 0 });
            q = queueFor(t.sourceArn);
          }
          // A mapping disabled or deleted: its lanes no longer wait on the queue's next message.
          if (signal.aborted) messages.visibility.recheck(q.name);
          if (rows.length === 0) return undefined;
          // Messages left behind: the next waiting lane takes its turn.
          if (more) messages.waiters.notify(q.name);
          const queueArn = queues.arn(q.name);
          const batch: PolledBatch = {
            payload: Buffer.from(JSON.stringify({ Records: rows.map((m) => record(m, q, queueArn, region)) })),
            itemIds: rows.map((m) => m.messageId),
            backlog: more,
            // Faults' `attempt`: a batch is on the attempt of its least-received message (every one has had at least that many).
            attempt: rows.reduce((n, m) => Math.min(n, m.receiveCount), Infinity),
          };
          // "If the invocation fails due to throttling, Lambda ... continues to retry the message until
          // the message's timestamp exceeds your queue's visibility timeout" (services-sqs-errorhandling):
          // a retry may start while it would still end within the visibility timeout, which is why AWS
          // asks for a visibility timeout of six times the function's timeout (services-sqs-configure).
          batch.retryThrottledUntil = clock.now() + visibilityMs - t.functionTimeoutSeconds * 1000;
          batch.traceHeaders = traceHeaders(rows);
          handles.set(batch, new Map(rows.map((m) => [m.messageId, m.receiptHandle!])));
          ledger.polled(rows);
          return batch;
        },
        settle(batch: PolledBatch, outcome: BatchOutcome) {
          const byId = handles.get(batch);
          ledger.settled(batch.itemIds);
          if (outcome.kind === "throttled") ledger.throttled(batch.itemIds);
          else ledger.invoked(batch.itemIds);
          if (byId === undefined || outcome.kind === "failed" || outcome.kind === "throttled") return;
          const failed = new Set(outcome.kind === "partial" ? outcome.failedIds : []);
          for (const id of byId.keys()) if (!failed.has(id)) ledger.forget(id);
          const q = queues.byArn(t.sourceArn);
          if (q === undefined) return;
          if (settled !== undefined) flushSettled();
          settled = { queue: q, handles: [...byId].filter(([id]) => !failed.has(id)).map(([, h]) => h) };
          queueMicrotask(flushSettled);
        },
      };
    },
  };
}

/** The batch's messages' distinct trace headers; none when a message has none (it starts a fresh chain). */
function traceHeaders(rows: MessageRow[]): string[] | undefined {
  const out = new Set<string>();
  for (const m of rows) {
    if (m.traceHeader === undefined) return undefined;
    out.add(m.traceHeader);
  }
  return [...out];
}

/**
 * The record the filters see: `body` parsed when it is a JSON object or array, so patterns on its
 * keys apply; a plain-string body stays a string and only patterns on `body` itself can match it
 * (aws-facts §6: a JSON pattern against a plain-string body drops the message).
 */
function filterView(m: MessageRow, q: QueueRow, arn: string, region: string): Record<string, unknown> {
  const rec = record(m, q, arn, region);
  const first = m.body.trimStart()[0];
  if (first === "{" || first === "[") {
    try {
      rec.body = parseFilterData(m.body);
    } catch {
      // not JSON after all: matched as the string it is
    }
  }
  return rec;
}

/** One record exactly as §6: key order, string attributes, lower-camel message attributes. */
function record(m: MessageRow, q: QueueRow, arn: string, region: string): Record<string, unknown> {
  const attributes: Record<string, string> = { ApproximateReceiveCount: String(m.receiveCount) };
  // A message's trace header comes next in AWS's records (a 2025 FIFO record: ApproximateReceiveCount, AWSTraceHeader, SentTimestamp).
  if (m.traceHeader !== undefined) attributes.AWSTraceHeader = m.traceHeader;
  attributes.SentTimestamp = String(m.sentAt);
  attributes.SenderId = "AIDAIT2UOQQY3AUEKVGXU";
  attributes.ApproximateFirstReceiveTimestamp = String(m.firstReceiveAt ?? m.sentAt);
  if (q.fifo) {
    attributes.SequenceNumber = m.sequenceNumber ?? "";
    attributes.MessageGroupId = m.groupId ?? "";
    attributes.MessageDeduplicationId = m.dedupId ?? "";
  }
  const messageAttributes: Record<string, Record<string, unknown>> = {};
  for (const [name, a] of Object.entries(m.messageAttributes ?? {})) {
    const value: Record<string, unknown> = {};
    if (a.StringValue !== undefined) value.stringValue = a.StringValue;
    if (a.BinaryValue !== undefined) value.binaryValue = a.BinaryValue;
    messageAttributes[name] = { ...value, stringListValues: [], binaryListValues: [], dataType: a.DataType };
  }
  const out: Record<string, unknown> = { messageId: m.messageId, receiptHandle: m.receiptHandle, body: m.body, attributes, messageAttributes };
  if (m.md5Attributes !== undefined) out.md5OfMessageAttributes = m.md5Attributes;
  out.md5OfBody = m.md5Body;
  out.eventSource = "aws:sqs";
  out.eventSourceARN = arn;
  out.awsRegion = region;
  return out;
}
