// The dashboard's async invocations (model.js): events waiting for a retry, each attempt of an
// event, and where finished ones went (the Finished list, async-finished.js). Plain data, no DOM.
import { addOutcome, asyncOutcome, rowDetail, rowWhere } from "./async-finished.js";
import { markStory, request } from "./invocation-rows.js";

/** Async events followed until they finish: our choice, as many as the request ids the rows keep (invocation-rows.js). */
export const KEEP_ASYNC = 5000;

/** An `async.*` event applied to the model; false for any other event. `history`: from a snapshot's recent list. */
export function applyAsyncEvent(m, e, history) {
  switch (e.type) {
    case "async.enqueued": request(m, e.requestId, e.functionName).async = { accepted: e.time }; pendingAsync(m, e.requestId, e.time); m.dirty.add("async"); return true;
    case "async.attempt.started": {
      m.waiting.delete(e.requestId);
      pendingAsync(m, e.requestId, undefined);
      // The invocation events that follow are this attempt's: its row (invocation-rows.js).
      const s = request(m, e.requestId, e.functionName);
      s.attempts.push({ attempt: e.attempt, time: e.time });
      s.attempt = e.attempt;
      m.dirty.add("async");
      // A retry labels the attempt before it (`attempt 1`) on its row and chip.
      if (e.attempt > 1) m.dirty.add("invocations").add("functions");
      markStory(m, e.requestId);
      return true;
    }
    case "async.attempt.failed": {
      const s = request(m, e.requestId, e.functionName);
      // Throttles do not use up an attempt (aws-facts §5): the same number comes again, and the
      // outcome belongs to its latest row.
      const a = s.attempts.findLast((x) => x.attempt === e.attempt);
      if (a) a.outcome = e.outcome;
      markStory(m, e.requestId);
      return true;
    }
    case "async.retry.scheduled":
      pendingAsync(m, e.requestId, undefined);
      m.waiting.set(e.requestId, { requestId: e.requestId, functionName: e.functionName, nextAttemptAt: e.at, enqueuedAt: m.pendingAsync.get(e.requestId) ?? m.waiting.get(e.requestId)?.enqueuedAt, consumesAttempt: e.consumesAttempt });
      m.dirty.add("async");
      return true;
    case "async.given-up":
    case "async.delivered":
    case "async.delivery-failed":
      // The snapshot's view, when the server has it, holds the outcomes of its recent events already.
      if (!history || !m.finishedFromView) finishAsync(m, e, ...asyncOutcome(e));
      return true;
    default:
      return false;
  }
}

/** Notes an async event as not finished; `accepted`: when it was enqueued, when this tells it. */
export function pendingAsync(m, requestId, accepted) {
  const known = m.pendingAsync.get(requestId);
  if (known !== undefined || (accepted === undefined && m.pendingAsync.has(requestId))) return;
  m.pendingAsync.set(requestId, accepted);
  if (m.pendingAsync.size > KEEP_ASYNC) m.pendingAsync.delete(m.pendingAsync.keys().next().value);
}

/** An async event's outcome, added to its row of the Finished list (async-finished.js). */
export function finishAsync(m, e, where, detail) {
  m.waiting.delete(e.requestId);
  m.pendingAsync.delete(e.requestId);
  const f = addOutcome(m.finished, e, where, detail);
  const s = request(m, e.requestId, e.functionName);
  s.async = { ...(s.async ?? {}), where: rowWhere(f), detail: rowDetail(f) };
  m.dirty.add("async");
  markStory(m, e.requestId);
}

