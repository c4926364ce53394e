import { logStreamName, type TelemetryEvent } from "@lambda-sim/core";
import type { LogStore } from "./log-store.ts";

/**
 * Turns the function.log telemetry (the one capture path: output-forwarder.ts) into CloudWatch
 * log events in `/aws/lambda/NAME` (or the group its LoggingConfig names), one stream per execution environment, named as the
 * environment's AWS_LAMBDA_LOG_STREAM_NAME is (`YYYY/MM/DD/[$LATEST]<32 hex>`, aws-facts §2.3).
 *
 * Event boundaries: on AWS the runtime sends each console.log call as one event (a multi-line
 * message stays one event) and every message ends with its newline. Here the output arrives as
 * pipe chunks, so each line is an event: lambda-sim's Node and Python runtimes write a multi-line
 * message as one line with \r for its newlines (as AWS's RIC does without a telemetry fd), turned
 * back into \n here; other lines starting with whitespace (stack frames written raw to stderr)
 * continue the event before them in the same chunk (chosen: AWS's framing of raw stdout writes is
 * not visible to us).
 */
export class LogCapture {
  private readonly store: LogStore;
  /** The stream of each environment, named when it was created. */
  private readonly streams = new Map<string, string>();
  /** The log group of each environment whose LoggingConfig names one (the default otherwise). */
  private readonly customGroups = new Map<string, string>();
  /** `/aws/lambda/NAME` per function: one string for all its events (the log store keys by it). */
  private readonly groups = new Map<string, string>();

  constructor(store: LogStore) {
    this.store = store;
  }

  readonly onEvent = (e: TelemetryEvent): void => {
    if (e.type === "environment.state-changed") {
      if (e.from === "none") {
        this.streams.set(e.environmentId, logStreamName(e.time, e.version, e.environmentId));
        if (e.logGroup !== undefined) this.customGroups.set(e.environmentId, e.logGroup);
      } else if (e.to === "retired") {
        this.streams.delete(e.environmentId);
        this.customGroups.delete(e.environmentId);
      }
      return;
    }
    // The previews' own note is lambda-sim's, not the function's.
    if (e.type !== "function.log" || e.audience === "console") return;
    let stream = this.streams.get(e.environmentId);
    if (stream === undefined) {
      // Output after retirement (a last line flushed late), or an environment older than us.
      stream = logStreamName(e.time, "$LATEST", e.environmentId);
    }
    let group = this.customGroups.get(e.environmentId) ?? this.groups.get(e.functionName);
    if (group === undefined) this.groups.set(e.functionName, (group = `/aws/lambda/${e.functionName}`));
    for (const message of splitEvents(e.text)) this.store.append({ group, stream, timestamp: e.time, message });
  };
}

/** One event per line, continuation lines (leading whitespace) joined to the one before. */
export function splitEvents(text: string): string[] {
  // One whole line (START, END, REPORT, most console.log calls): itself.
  if (text.length > 0 && text.indexOf("\n") === text.length - 1 && !text.includes("\r")) return [text];
  const out: string[] = [];
  const lines = text.split("\n");
  // A chunk ending with "\n" leaves an empty last element.
  if (lines[lines.length - 1] === "") lines.pop();
  for (const raw of lines) {
    const line = raw.replaceAll("\r", "\n");
    if (out.length > 0 && /^[ \t]/.test(line) && line.trim() !== "") out[out.length - 1] += `${line}\n`;
    else out.push(`${line}\n`);
  }
  return out;
}
