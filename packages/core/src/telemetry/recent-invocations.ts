import type { TelemetryEvent } from "./events.ts";

/** What `GET /_sim/invocations/{requestId}` answers: an invocation's story beyond its events' numbers. */
export interface InvocationDetails {
  requestId: string;
  functionName: string;
  /** The event, cut to PREVIEW_BYTES (the last attempt's, for a retried async event). */
  payload?: string;
  /** The response or error payload, cut to PREVIEW_BYTES. */
  result?: string;
  /** The invocation's log lines (START, the function's output, END, REPORT), the first MAX_LINES. */
  logs: string[];
}

/** Our choice: invocations kept for a late click (the dashboard lists the last 300). */
const KEEP = 500;
/** Our choice: log lines kept per invocation (the dashboard shows at most 200). */
const MAX_LINES = 200;

/**
 * The payloads, results and log lines of the last KEEP invocations, so that clients of the event
 * stream need not carry them in every event (issue 15: a watched simulator lost 14% of its rate,
 * much of it serialising, sending and parsing previews nobody had clicked on). Fed from telemetry.
 */
export class RecentInvocations {
  private readonly byId = new Map<string, InvocationDetails>();

  note(e: TelemetryEvent): void {
    switch (e.type) {
      case "invocation.started":
        this.entry(e.requestId, e.functionName).payload = e.payload;
        return;
      case "invocation.finished":
        this.entry(e.requestId, e.functionName).result = e.result;
        return;
      case "function.log":
        if (e.requestId !== undefined) {
          const logs = this.entry(e.requestId, e.functionName).logs;
          if (logs.length < MAX_LINES) logs.push(e.text);
        }
        return;
      default:
        return;
    }
  }

  get(requestId: string): InvocationDetails | undefined {
    return this.byId.get(requestId);
  }

  private entry(requestId: string, functionName: string): InvocationDetails {
    let d = this.byId.get(requestId);
    if (d === undefined) {
      d = { requestId, functionName, logs: [] };
      this.byId.set(requestId, d);
      // A Map iterates in insertion order: the first key is the oldest invocation.
      if (this.byId.size > KEEP) this.byId.delete(this.byId.keys().next().value!);
    }
    return d;
  }
}
