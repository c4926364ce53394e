import type { TelemetryEvent } from "@lambda-sim/core";
import { dimensionKey } from "./metric-store.ts";

/** One metric sample: its name, dimension set (a store key), value and unit. */
export type MetricSample = [name: string, dims: string, value: number, unit: string];

/** The provisioned environments of one function version, and the qualifier their config is on. */
interface VersionPool {
  /** Initialised and not retiring: the allocated provisioned concurrency. */
  ready: number;
  busy: number;
  /** The alias or version the config is on (provisioned-concurrency.changed). */
  qualifier?: string;
  /** Its FunctionName and FunctionName + Resource dimension keys, once computed. */
  dims?: [string, string];
}

/**
 * The provisioned concurrency metrics of AWS/Lambda ("Monitoring concurrency" and "Types of
 * metrics for Lambda functions" in the Lambda guide), published for each version and alias with
 * provisioned concurrency configured (dimensions FunctionName + Resource `function:qualifier`)
 * and, but for the utilization, per function (FunctionName):
 * - ProvisionedConcurrentExecutions: provisioned environments processing an invocation, sampled
 *   as each one starts one (view it with Maximum); per function, those of all its versions and
 *   aliases together;
 * - ProvisionedConcurrencyUtilization: that count divided by the provisioned concurrency
 *   allocated (0.5: half in use; Maximum);
 * - ProvisionedConcurrencyInvocations: invocations run by a provisioned environment (Sum);
 * - ProvisionedConcurrencySpilloverInvocations: invocations of a version with provisioned
 *   concurrency that ran on an on-demand environment, all provisioned ones being busy or not yet
 *   initialised (Sum).
 * Derived from the environments' telemetry: which are provisioned, initialised and busy.
 */
export class ProvisionedMetrics {
  private readonly pools = new Map<string, VersionPool>();
  /** Provisioned environments alive: their version's pool key, and whether they count as ready or busy. */
  private readonly envs = new Map<string, { pool: string; ready: boolean; busy: boolean }>();
  /** Busy provisioned environments per function, all versions and aliases together (its FunctionName-only figure). */
  private readonly busyByFunction = new Map<string, number>();

  /** The samples `e` gives (none for most events: this runs on every one). */
  samples(e: TelemetryEvent): MetricSample[] | undefined {
    switch (e.type) {
      case "provisioned-concurrency.changed": {
        const pool = this.pool(e.functionName, e.version);
        pool.qualifier = e.requested === 0 ? undefined : e.qualifier;
        pool.dims = undefined;
        return undefined;
      }
      case "environment.state-changed":
        return e.provisioned === true ? this.environment(e) : undefined;
      case "invocation.finished": {
        // No provisioned concurrency anywhere, the usual case: nothing to look up.
        if (this.pools.size === 0) return undefined;
        const env = this.envs.get(e.environmentId);
        if (env !== undefined) return this.perFunctionAndResource(e.functionName, env.pool, "ProvisionedConcurrencyInvocations", 1);
        const key = poolKey(e.functionName, e.version);
        const pool = this.pools.get(key);
        // Only versions with provisioned concurrency configured spill over.
        if (pool === undefined || (pool.qualifier === undefined && pool.ready === 0)) return undefined;
        return this.perFunctionAndResource(e.functionName, key, "ProvisionedConcurrencySpilloverInvocations", 1);
      }
      default:
        return undefined;
    }
  }

  private environment(e: Extract<TelemetryEvent, { type: "environment.state-changed" }>): MetricSample[] | undefined {
    const key = poolKey(e.functionName, e.version);
    const pool = this.pool(e.functionName, e.version);
    let env = this.envs.get(e.environmentId);
    if (env === undefined) this.envs.set(e.environmentId, (env = { pool: key, ready: false, busy: false }));
    const ready = e.to === "idle" || e.to === "busy";
    if (ready !== env.ready) pool.ready += ready ? 1 : -1;
    const busy = e.to === "busy";
    if (busy !== env.busy) {
      pool.busy += busy ? 1 : -1;
      this.busyByFunction.set(e.functionName, (this.busyByFunction.get(e.functionName) ?? 0) + (busy ? 1 : -1));
    }
    env.ready = ready;
    env.busy = busy;
    if (e.to === "retired") this.envs.delete(e.environmentId);
    if (!busy) return undefined;
    const [byFunction, byResource] = this.dimensions(e.functionName, key);
    return [
      // Per function, every version and alias with provisioned concurrency counts.
      ["ProvisionedConcurrentExecutions", byFunction, this.busyByFunction.get(e.functionName)!, "Count"],
      ["ProvisionedConcurrentExecutions", byResource, pool.busy, "Count"],
      // A ratio: CloudWatch's unit for it is None (our reading; the guide gives no unit).
      ["ProvisionedConcurrencyUtilization", byResource, pool.ready === 0 ? 0 : pool.busy / pool.ready, "None"],
    ];
  }

  private perFunctionAndResource(functionName: string, key: string, name: string, value: number): MetricSample[] {
    return this.dimensions(functionName, key).map((d): MetricSample => [name, d, value, "Count"]);
  }

  /** FunctionName, and FunctionName + Resource: the qualifier the config is on (its alias, or the version). */
  private dimensions(functionName: string, key: string): [string, string] {
    const pool = this.pools.get(key)!;
    if (pool.dims !== undefined) return pool.dims;
    const qualifier = pool.qualifier ?? key.slice(functionName.length + 1);
    const fn = { Name: "FunctionName", Value: functionName };
    return (pool.dims = [dimensionKey([fn]), dimensionKey([fn, { Name: "Resource", Value: `${functionName}:${qualifier}` }])]);
  }

  private pool(functionName: string, version: string): VersionPool {
    const key = poolKey(functionName, version);
    let pool = this.pools.get(key);
    if (pool === undefined) this.pools.set(key, (pool = { ready: 0, busy: 0 }));
    return pool;
  }
}

function poolKey(functionName: string, version: string): string {
  return `${functionName}:${version}`;
}
