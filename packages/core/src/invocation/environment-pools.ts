import type { RandomStream } from "../random/rng.ts";
import type { FunctionRegistry } from "../registry/function-registry.ts";
import type { ResolvedInvocationTarget } from "../registry/function-model.ts";
import type { EnvironmentContext } from "./environment-context.ts";
import { EnvironmentPool } from "./environment-pool.ts";
import type { RetireReason } from "./environment-state.ts";

/**
 * Every function version's EnvironmentPool (one per `name:version` at its current revision), and
 * the pools replaced by a code or configuration change or a deletion, whose busy environments
 * finish their invocations before they retire (AWS does not cut short an invocation in progress).
 * A pool's code, /opt and layers stay on disk while any of its environments lives.
 */
export class EnvironmentPools {
  private readonly registry: FunctionRegistry;
  private readonly ctx: EnvironmentContext;
  private readonly envIds: RandomStream;
  private readonly pools = new Map<string, EnvironmentPool>();
  /** Pools replaced by an update or a deletion whose busy environments are finishing. */
  private readonly draining = new Set<EnvironmentPool>();
  private readonly unsubscribe: () => void;
  private closed = false;

  /** `onDeleted`: a function's $LATEST was deleted (the governor forgets its reservation). */
  constructor(registry: FunctionRegistry, ctx: EnvironmentContext, envIds: RandomStream, onDeleted: (functionName: string) => void) {
    this.registry = registry;
    this.ctx = ctx;
    this.envIds = envIds;
    // A code or configuration change (or a deletion) retires that version's warm environments.
    this.unsubscribe = registry.onChange((c) => {
      if (c.kind === "alias") return;
      if (c.kind === "deleted" && c.version === "$LATEST") onDeleted(c.functionName);
      const key = `${c.functionName}:${c.version}`;
      const pool = this.pools.get(key);
      if (pool === undefined) return;
      this.pools.delete(key);
      this.retire(pool, c.kind === "deleted" ? "function-deleted" : "code-updated");
    });
    // A live environment's code, /opt and layers stay while it runs (a deleted function's busy one
    // finishes its invocation from them, as on AWS); they go when its pool has drained (retire()).
    registry.useCode(() => this.codeInUse());
  }

  /** The pool of the target's version at its revision: a pool of an older revision is retired. */
  for(target: ResolvedInvocationTarget): EnvironmentPool {
    const c = target.config;
    const key = `${c.functionName}:${c.version}`;
    let pool = this.pools.get(key);
    if (pool !== undefined && pool.config.revisionId !== c.revisionId) {
      this.retire(pool, "code-updated");
      pool = undefined;
    }
    if (pool === undefined) {
      pool = new EnvironmentPool(c, this.ctx, this.envIds);
      this.pools.set(key, pool);
    }
    return pool;
  }

  /** Provisioned environments of a version initialised and not retiring. */
  provisionedReady(functionName: string, version: string): number {
    return this.pools.get(`${functionName}:${version}`)?.provisionedReady ?? 0;
  }

  /** Number of live environments per `name:version`, for tests and the state snapshot. */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, p] of this.pools) out[k] = p.size;
    return out;
  }

  /** Every live environment (draining ones included), for the dashboard's snapshot. */
  environments(): { id: string; functionName: string; version: string; state: string; reason?: string; provisioned: boolean }[] {
    return [...this.pools.values(), ...this.draining].flatMap((p) =>
      p.environments().map((e) => ({ id: e.id, functionName: e.config.functionName, version: e.config.version, state: e.state, reason: e.reason, provisioned: e.initializationType === "provisioned-concurrency" })),
    );
  }

  /** Every environment ends, busy ones as a crash would (shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe();
    const pools = [...this.pools.values(), ...this.draining];
    this.pools.clear();
    this.draining.clear();
    await Promise.all(pools.map((p) => p.retireAll("shutdown")));
  }

  private *codeInUse(): Iterable<string | undefined> {
    for (const pool of [...this.pools.values(), ...this.draining]) {
      if (pool.live === 0) continue;
      yield pool.config.codeDir;
      yield pool.config.optDir;
      for (const l of pool.config.layers ?? []) yield l.dir;
    }
  }

  /** A replaced pool: idle environments go now, busy ones when their invocation ends (or at close). */
  private retire(pool: EnvironmentPool, reason: RetireReason): void {
    for (const p of this.draining) if (p.live === 0) this.draining.delete(p);
    this.draining.add(pool);
    pool.onDrained = () => {
      this.draining.delete(pool);
      // Its code may be used by nothing now (a deleted function's, an updated one's old package).
      if (!this.closed) this.registry.collectCode();
    };
    void pool.retireAll(reason);
  }
}
