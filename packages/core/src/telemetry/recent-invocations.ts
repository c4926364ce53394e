import type { TelemetryEvent } from "./events.ts";

/** What `GET /_sim/invocations/{requestId}` answers: an invocation's story beyond its events' numbers. */
export interface InvocationDetails {
  requestId: string;
  functionName: string;
  /**
   * With `?attempt=N`: the attempt of an Event invocation these details are of (every retry keeps
   * the request id, aws-facts §5). Without it, the request's: every attempt's log lines in order,
   * the last attempt's payload and result.
   */
  attempt?: number;
  /** The attempts of an Event invocation kept here (those that began while the simulator ran). */
  attempts?: number[];
  /** The event, cut to PREVIEW_BYTES (the last attempt's, for a retried async event). */
  payload?: string;
  /** The response or error payload, cut to PREVIEW_BYTES. */
  result?: string;
  /** The invocation's log lines (START, the function's output, END, REPORT), the first MAX_LINES. */
  logs: string[];
}

/** One invocation of a request id: a sync one, or one attempt of an async event (`attempt`). */
interface Run {
  attempt?: number;
  /** Its `invocation.started` (or, answered by a fault, its `invocation.finished`) has come. */
  ran: boolean;
  payload?: string;
  result?: string;
  logs: string[];
}

interface Entry {
  requestId: string;
  functionName: string;
  runs: Run[];
  /** Log lines kept, all runs together (MAX_LINES bounds the request as it did before runs). */
  lines: number;
}

/** Our choice: invocations kept for a late click (the dashboard lists the last 300). */
const KEEP = 500;
/** Our choice: log lines kept per request id, its attempts together (the dashboard shows at most 200). */
const MAX_LINES = 200;

/**
 * The payloads, results and log lines of the last KEEP invocations, so that clients of the event
 * stream need not carry them in every event (issue 15: a watched simulator lost 14% of its rate,
 * much of it serialising, sending and parsing previews nobody had clicked on). Fed from telemetry.
 * An Event invocation's attempts share its request id (aws-facts §5): each attempt's lines are
 * kept apart, from its `async.attempt.started` (before its Init's lines) to the next one's, so
 * that the dashboard shows each attempt's own log (newuser11 N3-1).
 */
export class RecentInvocations {
  private readonly byId = new Map<string, Entry>();

  note(e: TelemetryEvent): void {
    switch (e.type) {
      case "async.attempt.started": {
        // A throttled try runs nothing and comes again with the same number: its run is reused.
        const last = this.entry(e.requestId, e.functionName).runs.at(-1);
        if (last !== undefined && !last.ran && last.logs.length === 0) last.attempt = e.attempt;
        else this.newRun(e.requestId, e.functionName, e.attempt);
        return;
      }
      case "invocation.started": {
        const run = this.current(e.requestId, e.functionName, true);
        run.payload = e.payload;
        return;
      }
      case "invocation.finished":
        this.current(e.requestId, e.functionName, true).result = e.result;
        return;
      case "function.log":
        if (e.requestId !== undefined) {
          const d = this.entry(e.requestId, e.functionName);
          if (d.lines >= MAX_LINES) return;
          d.lines++;
          this.current(e.requestId, e.functionName, false).logs.push(e.text);
        }
        return;
      default:
        return;
    }
  }

  /** The request's details; with `attempt`, that attempt's only (undefined when it is not kept). */
  get(requestId: string, attempt?: number): InvocationDetails | undefined {
    const d = this.byId.get(requestId);
    if (d === undefined) return undefined;
    const attempts = [...new Set(d.runs.flatMap((r) => (r.attempt === undefined ? [] : [r.attempt])))];
    const base = { requestId, functionName: d.functionName, ...(attempts.length > 0 ? { attempts } : {}) };
    if (attempt !== undefined) {
      const runs = d.runs.filter((r) => r.attempt === attempt);
      if (runs.length === 0) return undefined;
      return { ...base, attempt, ...merged(runs) };
    }
    return { ...base, ...merged(d.runs) };
  }

  /** The run the request's next lines belong to; `ran`: an invocation event marks it as run. */
  private current(requestId: string, functionName: string, ran: boolean): Run {
    const runs = this.entry(requestId, functionName).runs;
    const run = runs.at(-1) ?? this.newRun(requestId, functionName, undefined);
    if (ran) run.ran = true;
    return run;
  }

  private newRun(requestId: string, functionName: string, attempt: number | undefined): Run {
    const run: Run = { attempt, ran: false, logs: [] };
    this.entry(requestId, functionName).runs.push(run);
    return run;
  }

  private entry(requestId: string, functionName: string): Entry {
    let d = this.byId.get(requestId);
    if (d === undefined) {
      d = { requestId, functionName, runs: [], lines: 0 };
      this.byId.set(requestId, d);
      // A Map iterates in insertion order: the first key is the oldest invocation.
      if (this.byId.size > KEEP) this.byId.delete(this.byId.keys().next().value!);
    }
    return d;
  }
}

/** Runs' lines in order, the last payload and result seen. */
function merged(runs: Run[]): Pick<InvocationDetails, "payload" | "result" | "logs"> {
  const out: Pick<InvocationDetails, "payload" | "result" | "logs"> = { logs: runs.flatMap((r) => r.logs) };
  for (const r of runs) {
    if (r.payload !== undefined) out.payload = r.payload;
    if (r.result !== undefined) out.result = r.result;
  }
  return out;
}
