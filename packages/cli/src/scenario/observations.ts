import { appendFileSync, writeFileSync } from "node:fs";
import type { TelemetryEvent } from "@lambda-sim/core";
import { errorMessage } from "./error-message.ts";
import { QueueSamples } from "./queue-samples.ts";
import { ShardStalls } from "./shard-stalls.ts";

/** Per-function counts the report and the expectations read. */
export interface FunctionStats {
  invocations: number;
  errors: number;
  throttles: number;
  /** Throttles by their reason (ReservedFunctionConcurrentInvocationLimitExceeded, a fault's): why it was throttled (newuser11 N2-1). */
  throttleReasons: Map<string, number>;
  /** Of the throttles, those a `throttle` fault injected. */
  injectedThrottles: number;
  retries: number;
  /** Stream batches invoked again after their shard's batch failed (a bisected half included). */
  streamRetries: number;
  coldStarts: number;
  givenUp: number;
  /** Of those, the ones no OnFailure destination nor DLQ took: gone. */
  lost: number;
  concurrencyPeak: number;
  maxEventAgeMs: number;
  /** Stream batches failed though the function succeeded, by why its answer was refused. */
  refused: Map<string, number>;
  /** Invocations stopped in a recursive loop (RecursiveInvocationException). */
  loopStops: number;
  /** Errors by type (the function's own, `ValueError`, else the platform's, `Runtime.UserCodeSyntaxError`, `Sandbox.Timedout`). */
  errorTypes: Map<string, number>;
  /** The first error: what a CI log's reader needs to diagnose it without a re-run (newuser9 P2-8). */
  firstError?: { type: string; message: string; requestId: string };
}

/**
 * Messages a queue's redrive policy moved to its dead-letter queue, and why: a message whose every
 * receive was a throttled batch never reached the function (aws-facts §4: throttled batches count
 * towards maxReceiveCount), the puzzle "0 errors, 20 in the DLQ" (newuser11 N2-1).
 */
export interface DeadLetterMoves {
  deadLetterQueue: string;
  moved: number;
  /** The fewest and most receives a moved message had. */
  minReceives: number;
  maxReceives: number;
  neverReachedFunction: number;
  stoppedInLoop: number;
}

export interface Bucket {
  invocations: number;
  errors: number;
  throttles: number;
  retries: number;
}

const ACTIVE = new Set(["initializing", "busy"]);
const TRACE_FLUSH_BYTES = 1 << 20;

/**
 * Everything a scenario run learns from telemetry, gathered as it happens (no event is kept):
 * counts per function, the timeline in buckets, environments active at once, each async event's
 * age. With a trace file, every event is also written as one JSON line, in emission order, so
 * two runs with the same seed and `model` functions give byte-identical files.
 */
/** The `type` of a trace's views lines (Observations.views). */
export const TRACE_VIEWS = "trace.views";

export class Observations {
  readonly functions = new Map<string, FunctionStats>();
  readonly delivered = new Map<string, number>();
  readonly faultsFired = new Map<string, number>();
  /** By source queue. */
  readonly deadLetters = new Map<string, DeadLetterMoves>();
  /** The functions each mapped source (by its name: `jobs`) sent batches to. */
  readonly consumers = new Map<string, Set<string>>();
  /** Each stream shard's holds, retries and iterator age. */
  readonly shards = new ShardStalls();
  readonly timeline: Bucket[];
  private readonly start: number;
  private readonly bucketMs: number;
  private readonly envState = new Map<string, { fn: string; active: boolean }>();
  private readonly activeEnvs = new Map<string, number>();
  private readonly enqueuedAt = new Map<string, { fn: string; at: number }>();
  private readonly traceFile: string | undefined;
  private trace = "";
  /** The simulator's address, which differs from run to run (its port), as the trace writes it (listening()). */
  private endpoint: string | undefined;
  /**
   * Telemetry events but the functions' output: how a real process's stdout arrives in chunks
   * decides how many records its lines come in, so counting them made two runs differ (newuser11 N2-2).
   */
  events = 0;
  /** Function log lines seen, as `run --logs` prints them (the report says where to see them). */
  logLines = 0;
  /** With a trace: the queues as they change (watchQueues). */
  private queues: QueueSamples | undefined;

  constructor(start: number, durationMs: number, buckets: number, traceFile?: string, endpoint?: string) {
    this.endpoint = endpoint;
    this.start = start;
    this.bucketMs = Math.max(1, Math.ceil(durationMs / buckets));
    this.timeline = Array.from({ length: buckets }, () => ({ invocations: 0, errors: 0, throttles: 0, retries: 0 }));
    this.traceFile = traceFile;
    if (traceFile !== undefined) writeFileSync(traceFile, "");
  }

  /** The address the simulator listens on, known once it has started: the trace writes it as port 0 from then on (nothing before names it). */
  listening(endpoint: string): void {
    this.endpoint = endpoint;
  }

  readonly record = (e: TelemetryEvent): void => {
    if (e.type !== "function.log") this.events++;
    if (this.traceFile !== undefined) {
      // The queues as they stood when service time moved on to this event's instant.
      if (this.queues !== undefined && e.time !== this.queues.sampledAt && e.type !== "function.log") this.sampleQueues(e.time);
      // SNS envelopes carry the endpoint (UnsubscribeURL): written as port 0, so a replay's trace is byte-identical.
      const line = JSON.stringify(e);
      this.trace += `${this.endpoint === undefined ? line : line.replaceAll(this.endpoint, "http://127.0.0.1:0")}\n`;
      if (this.trace.length > TRACE_FLUSH_BYTES) this.flush();
    }
    switch (e.type) {
      // A cold start is an invocation that initialised its environment, as AWS counts it (its REPORT
      // has an Init Duration): not an environment provisioned concurrency initialised ahead of any
      // invocation, and again after a crash or timeout reset one.
      case "invocation.started":
        if (e.coldStart) this.fn(e.functionName).coldStarts++;
        break;
      case "invocation.finished": {
        const s = this.fn(e.functionName);
        s.invocations++;
        const b = this.bucket(e.time);
        if (b) b.invocations++;
        if (e.status !== "success") {
          s.errors++;
          if (b) b.errors++;
          const type = e.functionErrorType ?? e.errorType ?? e.status;
          s.errorTypes.set(type, (s.errorTypes.get(type) ?? 0) + 1);
          s.firstError ??= { type, message: errorMessage(e.result), requestId: e.requestId };
        }
        break;
      }
      case "invocation.recursive-loop":
        this.fn(e.functionName).loopStops++;
        break;
      case "invocation.throttled": {
        const s = this.fn(e.functionName);
        s.throttles++;
        s.throttleReasons.set(e.reason, (s.throttleReasons.get(e.reason) ?? 0) + 1);
        const b = this.bucket(e.time);
        if (b) b.throttles++;
        break;
      }
      case "async.retry.scheduled": {
        this.fn(e.functionName).retries++;
        const b = this.bucket(e.time);
        if (b) b.retries++;
        break;
      }
      case "environment.state-changed": {
        const was = this.envState.get(e.environmentId);
        const active = ACTIVE.has(e.to);
        if ((was?.active ?? false) !== active) {
          const n = (this.activeEnvs.get(e.functionName) ?? 0) + (active ? 1 : -1);
          this.activeEnvs.set(e.functionName, n);
          const s = this.fn(e.functionName);
          s.concurrencyPeak = Math.max(s.concurrencyPeak, n);
        }
        if (e.to === "retired") this.envState.delete(e.environmentId);
        else this.envState.set(e.environmentId, { fn: e.functionName, active });
        break;
      }
      case "async.enqueued":
        this.enqueuedAt.set(e.requestId, { fn: e.functionName, at: e.time });
        break;
      case "async.attempt.started":
        this.age(e.requestId, e.time, false);
        break;
      case "async.given-up":
        this.fn(e.functionName).givenUp++;
        if (e.dropped === true) this.fn(e.functionName).lost++;
        this.age(e.requestId, e.time, true);
        break;
      case "async.delivered": {
        const name = shortName(e.targetArn);
        this.delivered.set(name, (this.delivered.get(name) ?? 0) + 1);
        break;
      }
      case "mapping.batch": {
        const source = shortName(e.eventSourceArn);
        let fns = this.consumers.get(source);
        if (fns === undefined) this.consumers.set(source, (fns = new Set()));
        fns.add(e.functionName);
        if (this.shards.batch(e, source)) {
          this.fn(e.functionName).streamRetries++;
          const b = this.bucket(e.time);
          if (b) b.retries++;
        }
        if (e.reason !== undefined) {
          const r = this.fn(e.functionName).refused;
          r.set(e.reason, (r.get(e.reason) ?? 0) + 1);
        }
        break;
      }
      case "mapping.batch-given-up":
        this.shards.givenUp(e, shortName(e.eventSourceArn));
        break;
      case "message.moved-to-dlq": {
        let d = this.deadLetters.get(e.queue);
        if (d === undefined) this.deadLetters.set(e.queue, (d = { deadLetterQueue: e.deadLetterQueue, moved: 0, minReceives: e.receiveCount, maxReceives: e.receiveCount, neverReachedFunction: 0, stoppedInLoop: 0 }));
        d.moved++;
        d.minReceives = Math.min(d.minReceives, e.receiveCount);
        d.maxReceives = Math.max(d.maxReceives, e.receiveCount);
        // A stopped message is counted once, as stopped: the loop is why it never ran (a throttle before it too, maybe).
        if (e.stoppedInLoop === true) d.stoppedInLoop++;
        else if (e.reachedFunction === false) d.neverReachedFunction++;
        break;
      }
      case "function.log":
        this.logLines += logLines(e.text).length;
        break;
      case "fault.fired":
        this.faultsFired.set(e.kind, (this.faultsFired.get(e.kind) ?? 0) + 1);
        if (e.kind === "throttle" && e.functionName !== undefined) this.fn(e.functionName).injectedThrottles++;
        break;
    }
  };

  /**
   * A trace line that is not an event: the dashboard's views of the architecture (functions with
   * their memory and reserved concurrency, the account's limits), which `lambda-sim ui --trace`
   * hands the page as the simulator's views frames would.
   */
  views(time: number, views: Record<string, unknown>): void {
    if (this.traceFile !== undefined) this.trace += `${JSON.stringify({ type: TRACE_VIEWS, time, views })}\n`;
  }

  /** With a trace, writes the queues view as views lines as it changes (queue-samples.ts). */
  watchQueues(view: () => unknown): void {
    if (this.traceFile !== undefined) this.queues = new QueueSamples(view, TRACE_VIEWS);
  }

  /** A queues views line at `time` if they changed since the last one. */
  sampleQueues(time: number): void {
    if (this.queues !== undefined) this.trace += this.queues.line(time);
  }

  /** Writes the rest of the trace. */
  finish(): void {
    this.flush();
  }

  fn(name: string): FunctionStats {
    let s = this.functions.get(name);
    if (s === undefined) {
      s = { invocations: 0, errors: 0, throttles: 0, retries: 0, streamRetries: 0, throttleReasons: new Map(), injectedThrottles: 0, coldStarts: 0, givenUp: 0, lost: 0, concurrencyPeak: 0, maxEventAgeMs: 0, refused: new Map(), loopStops: 0, errorTypes: new Map() };
      this.functions.set(name, s);
    }
    return s;
  }

  /** Service time the run started at. */
  get startTime(): number {
    return this.start;
  }

  get bucketSizeMs(): number {
    return this.bucketMs;
  }

  private age(requestId: string, at: number, done: boolean): void {
    const e = this.enqueuedAt.get(requestId);
    if (e === undefined) return;
    const s = this.fn(e.fn);
    s.maxEventAgeMs = Math.max(s.maxEventAgeMs, at - e.at);
    if (done) this.enqueuedAt.delete(requestId);
  }

  private bucket(time: number): Bucket | undefined {
    return this.timeline[Math.floor((time - this.start) / this.bucketMs)];
  }

  private flush(): void {
    if (this.traceFile === undefined || this.trace === "") return;
    appendFileSync(this.traceFile, this.trace);
    this.trace = "";
  }
}

/** `arn:aws:sqs:...:orders-dlq` → `orders-dlq`; `arn:aws:lambda:...:function:audit` → `audit`. */
export function shortName(arn: string): string {
  const parts = arn.split(":");
  if (parts[2] === "lambda" && parts[5] === "function") return parts[6] ?? arn;
  return (parts.at(-1) ?? arn).split("/").at(-1) ?? arn;
}

/** A log record's lines as `run --logs` prints them: the Node runtime folds a multi-line message into one record with \r (as on AWS). */
export function logLines(text: string): string[] {
  return text.replace(/\n$/, "").split(/\r\n|\r|\n/);
}
