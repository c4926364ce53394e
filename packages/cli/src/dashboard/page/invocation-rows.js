// The invocation list's rows (and the stories they open): one per invocation. A synchronous
// invocation, a mapping's batch, is one row keyed by its request id. An Event invocation keeps its
// request id across its retries, and each attempt is an invocation of its own, with its own START,
// REPORT, cold or warm start and duration (aws-facts §5; CloudWatch's Invocations counts each): each
// attempt is its own row, keyed `requestId#attempt` (newuser11 N3-1: one row mixed attempt 1's
// "cold" with attempt 3's duration). What belongs to the request id whatever the attempt (its async
// tries and outcomes, where it finished, the topic or rule that delivered it) is kept apart, in
// `m.requests`. Which attempt runs is what `async.attempt.started` says: it comes before the
// attempt's Init, its `invocation.started` and `invocation.finished` (async-queue.ts), in the live
// stream as in a scenario's trace.

/** Rows kept (the list shows the last 20; a click on an older chip or delivery still finds its story). */
export const KEEP_INVOCATIONS = 300;
/** Request ids kept with their attempts: our choice, as many as the async events the page follows (async-model.js KEEP_ASYNC). */
const KEEP_REQUESTS = 5000;

/** A row's key: the request id, and `#N` for an Event invocation's attempt N. */
export function rowKey(requestId, attempt) {
  return attempt === undefined ? requestId : `${requestId}#${attempt}`;
}

/** What belongs to a request id whatever its attempt: `attempts` (its async tries, throttled ones too), `attempt` (the one running or last run), `async`, `source`. */
export function request(m, requestId, functionName) {
  let r = m.requests.get(requestId);
  if (r === undefined) {
    r = { requestId, functionName, attempts: [], attempt: undefined };
    m.requests.set(requestId, r);
    if (m.requests.size > KEEP_REQUESTS) m.requests.delete(m.requests.keys().next().value);
  }
  r.functionName ??= functionName;
  return r;
}

/** The key of the row of the request's current invocation (for an Event invocation, its latest attempt's). */
export function currentRowKey(m, requestId) {
  return rowKey(requestId, m.requests.get(requestId)?.attempt);
}

/** The row of the request's current invocation, made at its first event (an Init's log line, its start, its finish). */
export function row(m, requestId, functionName) {
  const key = currentRowKey(m, requestId);
  let s = m.invocations.get(key);
  if (s === undefined) {
    const r = m.requests.get(requestId);
    s = { key, requestId, attempt: r?.attempt, functionName, logs: [] };
    if (r?.source !== undefined) s.source = r.source;
    m.invocations.set(key, s);
    if (m.invocations.size > KEEP_INVOCATIONS) m.invocations.delete(m.invocations.keys().next().value);
  }
  s.functionName ??= functionName;
  return s;
}

/**
 * `attempt N` for a row of an Event invocation that was retried (attempt 2 and on, and attempt 1
 * once a retry began); "" for a row of one invocation, async ones that succeeded at once included.
 */
export function attemptLabel(m, s) {
  if (s.attempt === undefined) return "";
  return s.attempt > 1 || (m.requests?.get(s.requestId)?.attempt ?? 0) > s.attempt ? `attempt ${s.attempt}` : "";
}

/** The row a story shows: the one selected, or, for a request id chosen where attempts are not told apart (the async lists), its latest row. */
export function selectedRow(m) {
  if (m.selected === undefined) return undefined;
  return m.invocations.get(m.selected) ?? m.invocations.get(latestRowKey(m, m.selected));
}

/** The request id of the story shown: the selected row's, or the request id selected. */
export function selectedRequestId(m) {
  return m.invocations.get(m.selected)?.requestId ?? m.selected;
}

/** The key a click on something naming a request id (and maybe its row) selects: that row, or the request's latest. */
export function selection(m, requestId, key) {
  if (key !== undefined && m.invocations.has(key)) return key;
  return latestRowKey(m, requestId) ?? requestId;
}

/** The key of the request's latest row kept, if any. */
function latestRowKey(m, requestId) {
  let latest;
  for (const s of m.invocations.values()) if (s.requestId === requestId) latest = s.key;
  return latest;
}

/** Marks the story for redrawing when it shows this request id (any of its attempts: they share its tries and outcome). */
export function markStory(m, requestId) {
  if (selectedRequestId(m) === requestId) m.dirty.add("story");
}
