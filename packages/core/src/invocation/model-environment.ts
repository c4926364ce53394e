import type { Clock } from "../clock/clock.ts";
import type { RandomStream } from "../random/rng.ts";
import type { FunctionVersionConfig, ModelDuration, ModelSpec } from "../registry/function-model.ts";
import type { Telemetry } from "../telemetry/telemetry.ts";
import type { Environment } from "./environment.ts";
import type { EnvironmentState, ResetCause, RetireReason } from "./environment-state.ts";
import { EnvironmentLifecycle } from "./environment-lifecycle.ts";
import { billedDuration } from "./invocation-log.ts";
import { emitFinished, emitStarted, failurePayload, serviceSleep, type InvocationRequest, type InvocationResult } from "./invocation-result.ts";

const OK: Buffer = Buffer.from("null");

/** How a stream mapping's tumbling-window event ends (stream-batch-runner writes these keys last). */
const WINDOW_TAIL = Buffer.from('"isWindowTerminatedEarly":');

/**
 * A model function's success behind a tumbling window: AWS fails an answer without `state`
 * (aws-facts §8.2), and a model cannot declare one, so it hands back the state it was given, with
 * no failed item (our choice: the window's aggregate is the code's business, not the model's).
 * Other events answer `null`, and cost only a look at their last bytes.
 */
function windowAnswer(event: Buffer): Buffer | undefined {
  if (event.length < WINDOW_TAIL.length || event.indexOf(WINDOW_TAIL, Math.max(0, event.length - 64)) < 0) return undefined;
  try {
    const e = JSON.parse(event.toString("utf8")) as { state?: unknown };
    return Buffer.from(JSON.stringify({ state: e.state ?? {}, batchItemFailures: [] }));
  } catch {
    return undefined;
  }
}

/**
 * The `model` runtime's sandbox: no process, no Runtime API. Cold start and duration are service
 * time on the Clock (so the VirtualClock runs 100,000 invocations in seconds); outcomes are drawn
 * from the seeded "model" stream, so a run repeats exactly from its seed.
 */
export class ModelEnvironment implements Environment {
  readonly id: string;
  readonly config: FunctionVersionConfig;
  readonly initializationType: "on-demand" | "provisioned-concurrency";
  busy = false;
  onAvailable: (env: Environment) => void = () => {};
  onRetired: (env: Environment) => void = () => {};
  private readonly clock: Clock;
  private readonly telemetry: Telemetry;
  private readonly random: RandomStream;
  private readonly spec: ModelSpec;
  private initialised = false;
  private readonly lifecycle: EnvironmentLifecycle;

  constructor(id: string, config: FunctionVersionConfig, clock: Clock, telemetry: Telemetry, random: RandomStream, initializationType: "on-demand" | "provisioned-concurrency") {
    this.id = id;
    this.config = config;
    this.clock = clock;
    this.telemetry = telemetry;
    this.random = random;
    this.initializationType = initializationType;
    this.spec = config.model ?? { durationMs: 1, coldStartMs: 0, errorProbability: 0, timeoutProbability: 0 };
    this.lifecycle = new EnvironmentLifecycle(id, config, telemetry, initializationType === "provisioned-concurrency");
  }

  get state(): EnvironmentState {
    return this.lifecycle.state;
  }

  get reason(): RetireReason | ResetCause | undefined {
    return this.lifecycle.reason;
  }

  async prewarm(): Promise<boolean> {
    await this.clock.sleep(draw(this.spec.coldStartMs, this.random));
    this.initialised = true;
    if (this.state === "initializing") this.transition("idle");
    return true;
  }

  async invoke(request: InvocationRequest): Promise<InvocationResult> {
    this.busy = true;
    const coldStart = !this.initialised;
    let initDurationMs: number | undefined;
    if (coldStart) {
      initDurationMs = draw(this.spec.coldStartMs, this.random);
      if (initDurationMs > 0) await serviceSleep(this.clock, request, initDurationMs);
      // A slow cold start's ms passed before (Invoker): part of this Init, as a real environment reports it.
      initDurationMs += request.initDelayMs ?? 0;
      this.initialised = true;
    }
    this.transition("busy");
    emitStarted(this.telemetry, this.config, this.id, request, coldStart);
    const timeoutMs = this.config.timeout * 1000;
    const roll = this.random.next();
    const declaredTimeout = roll < this.spec.timeoutProbability;
    // An injected latency adds to the drawn duration; past the timeout, the invocation times out there.
    const drawnMs = declaredTimeout ? timeoutMs : draw(this.spec.durationMs, this.random) + (request.latencyMs ?? 0);
    const timedOut = declaredTimeout || drawnMs > timeoutMs;
    const failed = !timedOut && roll < this.spec.timeoutProbability + this.spec.errorProbability;
    const durationMs = timedOut ? timeoutMs : drawnMs;
    await serviceSleep(this.clock, request, durationMs);
    let payload: Buffer = OK;
    let errorType: string | undefined;
    if (timedOut) {
      errorType = "Sandbox.Timedout";
      payload = failurePayload(errorType, `RequestId: ${request.requestId} Error: Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`);
      this.initialised = false; // a timeout resets the environment (aws-facts §3)
    } else if (failed) {
      errorType = "ModelError";
      payload = failurePayload(errorType, "declared failure of a model function");
    } else {
      payload = windowAnswer(request.payload) ?? OK;
    }
    const result: InvocationResult = {
      requestId: request.requestId,
      payload,
      errorType,
      reportStatus: timedOut ? "timeout" : undefined,
      durationMs,
      billedDurationMs: billedDuration(durationMs, initDurationMs),
      initDurationMs,
      maxMemoryUsedMb: 1,
      coldStart,
      environmentId: this.id,
      logTail: "",
    };
    this.busy = false;
    emitFinished(this.telemetry, this.config, result, request);
    this.transition("idle");
    this.onAvailable(this);
    return result;
  }

  async retire(reason: RetireReason): Promise<void> {
    if (this.state === "retiring" || this.state === "retired") return;
    this.transition("retiring", reason);
    this.transition("retired", reason);
    this.onRetired(this);
  }

  private transition(to: EnvironmentState, reason?: RetireReason): void {
    if (this.lifecycle.state !== to) this.lifecycle.to(to, reason);
  }
}

/** Draws a duration: fixed, uniform between min and max, or exponential around a mean. */
export function draw(d: ModelDuration, random: RandomStream): number {
  if (typeof d === "number") return d;
  if ("min" in d) return d.min + random.next() * (d.max - d.min);
  return -Math.log(1 - random.next()) * d.mean;
}
