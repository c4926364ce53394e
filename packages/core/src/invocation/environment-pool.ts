import type { TimerHandle } from "../clock/clock.ts";
import type { RandomStream } from "../random/rng.ts";
import type { FunctionVersionConfig } from "../registry/function-model.ts";
import { logStreamName } from "../runtime/environment-variables.ts";
import type { RetireReason } from "./environment-state.ts";
import type { EnvironmentContext } from "./environment-context.ts";
import { ExecutionEnvironment } from "./execution-environment.ts";
import type { Environment } from "./environment.ts";
import { ModelEnvironment } from "./model-environment.ts";
import type { InvocationRequest, InvocationResult } from "./invocation-result.ts";

/**
 * The environments of one function version at one revision (DESIGN.md `EnvironmentPool`): picks a
 * warm one, most recently used first, or starts a new one (a cold start). An environment that
 * stays idle for the function's idle lifetime (service time, on the Clock) is retired.
 */
export class EnvironmentPool {
  readonly config: FunctionVersionConfig;
  private readonly ctx: EnvironmentContext;
  private readonly ids: RandomStream;
  private readonly available: Environment[] = [];
  /** Provisioned environments waiting for an event: preferred over on-demand ones (aws-facts §4). */
  private readonly availableProvisioned: Environment[] = [];
  private readonly provisioned = new Set<Environment>();
  /** When each available environment was released, in service time (makeAvailable). */
  private readonly releasedAt = new Map<Environment, number>();
  /** Provisioned environments no longer wanted, retired as soon as their invocation ends. */
  private readonly released = new Set<Environment>();
  /** Provisioned environments still initialising, and what their init comes to. */
  private readonly prewarming = new Map<Environment, Promise<boolean>>();
  private readonly all = new Set<Environment>();
  /**
   * Each idle environment's reaping: when it falls due (service time) and the timer pending for it.
   * A busy function releases its environment on every invocation; moving `dueAt` then arms
   * nothing, and a timer that wakes before the environment has been idle its whole lifetime
   * re-arms for the rest (a timer per invocation showed in the warm invoke's profile, issue 16).
   */
  private readonly reaping = new Map<Environment, { dueAt: number; timer: TimerHandle | undefined }>();
  private closed = false;
  private closedReason: RetireReason = "code-updated";
  /** After retireAll(), called when its last environment has retired (its code is free then). */
  onDrained: (() => void) | undefined;

  constructor(config: FunctionVersionConfig, ctx: EnvironmentContext, ids: RandomStream) {
    this.config = config;
    this.ctx = ctx;
    this.ids = ids;
  }

  /** Environments alive (any state but retired), for telemetry and tests. */
  get size(): number {
    return this.all.size;
  }

  /** The live environments (read-only view for the state snapshot). */
  environments(): readonly Environment[] {
    return [...this.all];
  }

  get idleCount(): number {
    return this.available.length + this.availableProvisioned.length;
  }

  run(request: InvocationRequest): Promise<InvocationResult> {
    // Provisioned first; overflow spills to on-demand environments (aws-facts §4).
    let env = takeUsable(this.availableProvisioned) ?? takeUsable(this.available);
    // A warm environment's pending reap timer stays: it finds the environment busy, or idle for
    // less than its lifetime, when it wakes.
    env ??= this.create("on-demand");
    return env.invoke(request);
  }

  /**
   * Keeps `count` provisioned environments initialised (PutProvisionedConcurrencyConfig, an alias
   * moving to this version). Resolves with whether every one of them is initialised (READY) or one
   * failed (FAILED), those a call before this one is still starting included.
   */
  async provision(count: number, initLimitMs: number): Promise<boolean> {
    const extra = [...this.provisioned].slice(count);
    for (const env of extra) {
      this.provisioned.delete(env);
      // AWS does not cut short an invocation in progress: a busy one goes when it comes free.
      if (env.busy) this.released.add(env);
      else void env.retire("provisioned-released");
    }
    while (this.provisioned.size < count) {
      const env = this.create("provisioned-concurrency");
      this.provisioned.add(env);
      this.prewarming.set(
        env,
        env.prewarm(initLimitMs).then((ok) => {
          this.prewarming.delete(env);
          if (env.state === "idle") this.release(env);
          // One scaled away while it started (a smaller count since) has not failed.
          return ok || !this.provisioned.has(env);
        }),
      );
    }
    const results = await Promise.all([...this.provisioned].map((e) => this.prewarming.get(e) ?? true));
    return results.every(Boolean);
  }

  /** Provisioned environments alive, for GetProvisionedConcurrencyConfig's Available count. */
  get provisionedReady(): number {
    return [...this.provisioned].filter((e) => e.state !== "initializing" && e.state !== "retired" && e.state !== "retiring").length;
  }

  /**
   * Retires every environment. At shutdown busy ones end their current invocation as a crash
   * would; after a code or configuration update or a deletion they finish it first (AWS does not
   * cut short invocations in progress) and retire as they come free (release()).
   */
  async retireAll(reason: RetireReason): Promise<void> {
    this.closed = true;
    this.closedReason = reason;
    for (const r of this.reaping.values()) r.timer?.cancel();
    this.reaping.clear();
    this.available.length = 0;
    this.availableProvisioned.length = 0;
    this.releasedAt.clear();
    this.provisioned.clear();
    // Retired for `reason` now (a code update, shutdown), not as released provisioned ones later.
    this.released.clear();
    const now = reason === "shutdown" ? [...this.all] : [...this.all].filter((e) => !e.busy);
    await Promise.all(now.map((e) => e.retire(reason)));
  }

  /** Environments not yet retired (busy ones finishing after retireAll, for instance). */
  get live(): number {
    return this.all.size;
  }

  private create(type: "on-demand" | "provisioned-concurrency"): Environment {
    const id = this.ids.hex(16);
    const env: Environment =
      this.config.runtime === "model"
        ? new ModelEnvironment(id, this.config, this.ctx.clock, this.ctx.telemetry, this.ctx.modelRandom ?? this.ids, type)
        : new ExecutionEnvironment(id, this.config, this.ctx, logStreamName(this.ctx.clock.now(), this.config.version, id), type);
    this.all.add(env);
    env.onAvailable = (e) => this.release(e);
    env.onRetired = (e) => {
      this.all.delete(e);
      this.reaping.get(e)?.timer?.cancel();
      this.reaping.delete(e);
      this.provisioned.delete(e);
      this.released.delete(e);
      this.releasedAt.delete(e);
      for (const list of [this.available, this.availableProvisioned]) {
        const i = list.indexOf(e);
        if (i >= 0) list.splice(i, 1);
      }
      if (this.closed && this.all.size === 0) this.onDrained?.();
    };
    return env;
  }

  private release(env: Environment): void {
    if (this.closed) {
      void env.retire(this.closedReason);
      return;
    }
    if (env.state === "retiring" || env.state === "retired") return;
    if (this.released.delete(env)) {
      void env.retire("provisioned-released");
      return;
    }
    if (this.provisioned.has(env)) {
      // Provisioned environments stay initialised: never reaped for idleness.
      if (!this.availableProvisioned.includes(env)) this.makeAvailable(this.availableProvisioned, env);
      return;
    }
    if (this.available.includes(env)) return;
    this.makeAvailable(this.available, env);
    const dueAt = this.ctx.clock.now() + this.config.sim.idleLifetimeMs;
    const reaping = this.reaping.get(env);
    if (reaping === undefined) this.reaping.set(env, { dueAt, timer: this.armReap(env, this.config.sim.idleLifetimeMs) });
    else {
      reaping.dueAt = dueAt;
      reaping.timer ??= this.armReap(env, this.config.sim.idleLifetimeMs);
    }
  }

  /**
   * Puts `env` last in `list`, where run() takes from (most recently used first), except that
   * environments released at one service instant go by id: which of their processes answered first
   * is wall time's, and a replay must reuse the same one (README "Replay"). Ids come from the
   * seeded stream in creation order. Which warm environment AWS picks is not published: our choice.
   */
  private makeAvailable(list: Environment[], env: Environment): void {
    const now = this.ctx.clock.now();
    this.releasedAt.set(env, now);
    let i = list.length;
    while (i > 0 && this.releasedAt.get(list[i - 1]!) === now && list[i - 1]!.id > env.id) i--;
    list.splice(i, 0, env);
  }

  /** Housekeeping (unref): reaping an idle environment is not work run-until-idle waits for. */
  private armReap(env: Environment, delayMs: number): TimerHandle {
    return this.ctx.clock.setTimer(delayMs, () => this.reapIfIdle(env), `env.idle-reap:${this.config.functionName}:${env.id}`, { unref: true });
  }

  private reapIfIdle(env: Environment): void {
    const reaping = this.reaping.get(env);
    if (reaping === undefined) return;
    reaping.timer = undefined;
    // Busy: its next release arms a timer again.
    if (!this.available.includes(env)) return;
    const left = reaping.dueAt - this.ctx.clock.now();
    if (left > 0) reaping.timer = this.armReap(env, left);
    else void env.retire("idle-timeout");
  }
}

function takeUsable(list: Environment[]): Environment | undefined {
  let env = list.pop();
  while (env !== undefined && (env.busy || env.state === "retiring" || env.state === "retired")) env = list.pop();
  return env;
}
