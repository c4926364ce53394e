// Where finished async events went: one row per event ({ requestId, functionName, outcomes }), its
// outcomes in order (gave up → OnFailure → DeadLetterQueue), newest first. Shared by the page (model.js) and the simulator's
// `asyncFinished` view (dashboard-views.ts), which seeds a page opened late; plain JS, served as it is.

/** Rows kept: past this, a plain success goes first, so a schedule's minutely successes do not push failures and destinations off. */
export const KEEP_FINISHED = 60;

/** The outcome an async event's telemetry event tells, as `[where, detail]`; undefined for other events (a success is told by invocation.finished: see successOutcome). */
export function asyncOutcome(e) {
  switch (e.type) {
    case "async.given-up": return [e.dropped ? "dropped" : "gave up", e.reason === "recursive-loop" ? `stopped in a recursive loop after ${e.approximateInvokeCount} invocation(s)` : `${e.condition} after ${e.approximateInvokeCount} invocation(s)`];
    case "async.delivered": return [e.destination, e.targetArn];
    case "async.delivery-failed": return [`${e.destination} failed`, e.error];
    default: return undefined;
  }
}

/** A success is where an event without an OnSuccess destination ends (one with it also gets async.delivered). */
export function successOutcome(attempt) {
  return ["success", attempt === undefined ? "" : `attempt ${attempt}`];
}

/** Adds an outcome to its event's row (moved to the top of `rows`); returns the row. */
export function addOutcome(rows, e, where, detail) {
  const i = rows.findIndex((f) => f.requestId === e.requestId);
  const row = i >= 0 ? rows.splice(i, 1)[0] : { requestId: e.requestId, functionName: e.functionName, outcomes: [] };
  row.outcomes.push({ where, detail });
  rows.unshift(row);
  if (rows.length > KEEP_FINISHED) {
    const success = rows.findLastIndex(plainSuccess);
    rows.splice(success >= 0 ? success : rows.length - 1, 1);
  }
  return row;
}

/** A row's outcomes in a few words: `gave up → OnFailure`, and their details (computed when drawn: the view carries the outcomes only). */
export const rowWhere = (f) => f.outcomes.map((o) => o.where).join(" → ");
export const rowDetail = (f) => f.outcomes.map((o) => o.detail).filter(Boolean).join("; ");

/** A finished async event that only succeeded (no OnSuccess destination): the least telling row. */
export function plainSuccess(f) {
  return f.outcomes.every((o) => o.where === "success");
}
