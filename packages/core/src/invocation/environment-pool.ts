import type { TimerHandle } from "../clock/clock.ts";
import type { RandomStream } from "../random/rng.ts";
import type { FunctionVersionConfig } from "../registry/function-model.ts";
import { logStreamName } from "../runtime/environment-variables.ts";
import type { RetireReason } from "./environment-state.ts";
import { ExecutionEnvironment, type EnvironmentContext } from "./execution-environment.ts";
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
  private readonly available: ExecutionEnvironment[] = [];
  private readonly all = new Set<ExecutionEnvironment>();
  private readonly reapTimers = new Map<ExecutionEnvironment, TimerHandle>();
  private closed = false;

  constructor(config: FunctionVersionConfig, ctx: EnvironmentContext, ids: RandomStream) {
    this.config = config;
    this.ctx = ctx;
    this.ids = ids;
  }

  /** Environments alive (any state but retired), for telemetry and tests. */
  get size(): number {
    return this.all.size;
  }

  get idleCount(): number {
    return this.available.length;
  }

  run(request: InvocationRequest): Promise<InvocationResult> {
    let env = this.available.pop();
    while (env !== undefined && (env.busy || env.state === "retiring" || env.state === "retired")) env = this.available.pop();
    if (env === undefined) env = this.create();
    else {
      this.reapTimers.get(env)?.cancel();
      this.reapTimers.delete(env);
    }
    return env.invoke(request);
  }

  /** Retires every environment: busy ones end their current invocation as a crash would. */
  async retireAll(reason: RetireReason): Promise<void> {
    this.closed = true;
    for (const t of this.reapTimers.values()) t.cancel();
    this.reapTimers.clear();
    this.available.length = 0;
    await Promise.all([...this.all].map((e) => e.retire(reason)));
  }

  private create(): ExecutionEnvironment {
    const id = this.ids.hex(16);
    const stream = logStreamName(this.ctx.clock.now(), this.config.version, id);
    const env = new ExecutionEnvironment(id, this.config, this.ctx, stream);
    this.all.add(env);
    env.onAvailable = (e) => this.release(e);
    env.onRetired = (e) => {
      this.all.delete(e);
      this.reapTimers.get(e)?.cancel();
      this.reapTimers.delete(e);
      const i = this.available.indexOf(e);
      if (i >= 0) this.available.splice(i, 1);
    };
    return env;
  }

  private release(env: ExecutionEnvironment): void {
    if (this.closed) {
      void env.retire("code-updated");
      return;
    }
    if (env.state === "retiring" || env.state === "retired" || this.available.includes(env)) return;
    this.available.push(env);
    const label = `env.idle-reap:${this.config.functionName}:${env.id}`;
    this.reapTimers.set(env, this.ctx.clock.setTimer(this.config.sim.idleLifetimeMs, () => env.retire("idle-timeout"), label));
  }
}
