import { AwsError } from "../errors/aws-error.ts";
import { lambdaErrors } from "../errors/lambda-errors.ts";
import type { AliasRecord } from "../registry/alias-routing.ts";
import type { FunctionRegistry, RegistryChange } from "../registry/function-registry.ts";
import type { Store } from "../store/store.ts";
import type { Telemetry } from "../telemetry/telemetry.ts";
import type { Invoker } from "./invoker.ts";

export type ProvisionedStatus = "IN_PROGRESS" | "READY" | "FAILED";

export interface ProvisionedConfig {
  functionName: string;
  qualifier: string;
  requested: number;
  status: ProvisionedStatus;
  statusReason?: string;
  lastModified: string;
  /** The versions its environments are on, and how many each: an alias's follow the alias. */
  allocation: Record<string, number>;
  /** Versions it left whose environments stay until the new ones are up. */
  leaving: string[];
  /** The old version an alias's traffic is held on meanwhile. */
  held?: string;
  /** Provisioned again after a restart: no request of the user's is being processed (on AWS it stayed READY). */
  restored?: boolean;
}

/** Our choice: above this many environments for one config, the console says what they cost here (an IaC stack copied from production asks for 100 and more). */
const MANY_PROVISIONED = 20;

/**
 * Provisioned concurrency (aws-facts §4): environments of a published version or alias initialised
 * ahead of traffic with AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency, IN_PROGRESS until
 * they are all up (READY) or one fails its init (FAILED, FUNCTION_ERROR_INIT_FAILURE). A config on
 * an alias follows the alias: UpdateAlias to another version allocates that version's
 * environments (IN_PROGRESS, the alias's traffic staying on the old version meanwhile), then READY
 * and the old version's are released. DeleteAlias (or deleting the version or function) removes
 * the config, as on AWS. A version has one config at most: its own or one alias's. Configs persist; their environments are provisioned again after a restart.
 */
export class ProvisionedConcurrency {
  private readonly store: Store;
  private readonly registry: FunctionRegistry;
  private readonly invoker: Invoker;
  private readonly telemetry: Telemetry;
  private readonly configs = new Map<string, ProvisionedConfig>();

  constructor(store: Store, registry: FunctionRegistry, invoker: Invoker, telemetry: Telemetry) {
    this.store = store;
    this.registry = registry;
    this.invoker = invoker;
    this.telemetry = telemetry;
    registry.onChange((c) => this.registryChanged(c));
  }

  /** Provisions every stored config again (after a restart); drops those whose version or alias is gone. */
  restore(): void {
    const rows = this.store.db.prepare("SELECT name, qualifier, requested, last_modified FROM provisioned_concurrency").all() as {
      name: string; qualifier: string; requested: number; last_modified: string;
    }[];
    for (const r of rows) {
      const rec = this.registry.has(r.name) ? this.registry.get(r.name) : undefined;
      if (rec === undefined || (!rec.versions.has(r.qualifier) && !rec.aliases.has(r.qualifier))) {
        this.store.db.prepare("DELETE FROM provisioned_concurrency WHERE name = ? AND qualifier = ?").run(r.name, r.qualifier);
        continue;
      }
      const config: ProvisionedConfig = { functionName: r.name, qualifier: r.qualifier, requested: r.requested, status: "IN_PROGRESS", lastModified: r.last_modified, allocation: {}, leaving: [], restored: true };
      this.configs.set(key(r.name, r.qualifier), config);
      void this.allocate(config);
    }
  }

  put(functionName: string, qualifier: string | undefined, requested: number): ProvisionedConfig {
    const rec = this.registry.get(functionName);
    if (qualifier === undefined || qualifier === "$LATEST") {
      throw lambdaErrors.invalidParameterValue("Provisioned Concurrency Configs cannot be applied to unpublished function versions.");
    }
    const alias = rec.aliases.get(qualifier);
    if (!rec.versions.has(qualifier) && alias === undefined) throw lambdaErrors.functionNotFound(`${this.registry.arn(rec.name)}:${qualifier}`);
    if (alias !== undefined && alias.functionVersion === "$LATEST") {
      throw lambdaErrors.invalidParameterValue("Provisioned Concurrency Configs cannot be applied to unpublished function versions.");
    }
    // AWS's refusal (terraform-provider-aws#13329), also during its own hold after an UpdateAlias,
    // whose RoutingConfig {old: 1} is weights too (hashicorp/terraform#24957; terraform-provider-aws
    // #48116 waits for the weights to clear before it puts the config).
    if (alias?.additionalVersionWeights !== undefined) {
      throw lambdaErrors.invalidParameterValue("Alias with weights can not be used with Provisioned Concurrency");
    }
    if (rec.reservedConcurrency !== undefined && requested > rec.reservedConcurrency) {
      throw lambdaErrors.invalidParameterValue("Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function");
    }
    this.checkOneConfigPerVersion(rec.name, qualifier, alias);
    const previous = this.configs.get(key(rec.name, qualifier));
    // AWS refuses a Put while the last one is still being applied (409, as users quote it:
    // hashicorp/terraform-provider-aws#13967); a deploy waits for READY first, as CloudFormation does.
    if (previous?.status === "IN_PROGRESS" && previous.restored !== true) throw lambdaErrors.resourceConflict("A previous request is being processed. Please try again shortly");
    const config: ProvisionedConfig = {
      functionName: rec.name, qualifier, requested, status: "IN_PROGRESS", lastModified: this.registry.now(),
      allocation: previous?.allocation ?? {}, leaving: previous?.leaving ?? [], held: previous?.held,
    };
    this.store.db
      .prepare("INSERT OR REPLACE INTO provisioned_concurrency (name, qualifier, requested, last_modified) VALUES (?, ?, ?, ?)")
      .run(rec.name, qualifier, requested, config.lastModified);
    this.configs.set(key(rec.name, qualifier), config);
    if (requested > MANY_PROVISIONED && (previous?.requested ?? 0) < requested) {
      this.telemetry.emit({ type: "simulator.warning", message: `${rec.name}:${qualifier}: provisioned concurrency ${requested} starts ${requested} environments on this machine, each a process of its own; a lower count shows the same behaviour` });
    }
    void this.allocate(config);
    return config;
  }

  get(functionName: string, qualifier: string | undefined): ProvisionedConfig {
    const rec = this.registry.get(functionName);
    const config = this.configs.get(key(rec.name, qualifier ?? ""));
    if (config === undefined) throw new AwsError("ProvisionedConcurrencyConfigNotFoundException", 404, "No Provisioned Concurrency Config found for this function");
    return config;
  }

  list(functionName: string): ProvisionedConfig[] {
    const rec = this.registry.get(functionName);
    return [...this.configs.values()].filter((c) => c.functionName === rec.name);
  }

  delete(functionName: string, qualifier: string | undefined): void {
    this.remove(this.get(functionName, qualifier));
  }

  /** Available = environments of its versions up (at most what it allocates to each); Allocated = the requested count once READY. */
  available(config: ProvisionedConfig): number {
    return Object.entries(config.allocation).reduce((n, [version, count]) => n + Math.min(count, this.invoker.provisionedReady(config.functionName, version)), 0);
  }

  /**
   * "Each version of a function can only have one provisioned concurrency configuration. This can
   * be directly on the version itself, or on an alias that points to the version. Two aliases can't
   * allocate provisioned concurrency for the same version." (Lambda developer guide,
   * provisioned-concurrency.md). Messages as LocalStack's provider has them (the first also in a
   * CloudFormation user's notes of AWS's errors); the second unconfirmed against AWS.
   */
  private checkOneConfigPerVersion(functionName: string, qualifier: string, alias: AliasRecord | undefined): void {
    const rec = this.registry.get(functionName);
    const others = [...this.configs.values()].filter((c) => c.functionName === functionName && c.qualifier !== qualifier);
    if (alias !== undefined) {
      const version = alias.functionVersion;
      // Another alias's config on the version: AWS's message for it is unknown; chosen: the same one.
      if (others.some((c) => c.qualifier === version || pointsTo(rec.aliases.get(c.qualifier), version))) {
        throw lambdaErrors.resourceConflict("Alias can't be used for Provisioned Concurrency configuration on an already Provisioned version");
      }
    } else if (others.some((c) => pointsTo(rec.aliases.get(c.qualifier), qualifier))) {
      throw lambdaErrors.resourceConflict("Version is pointed by a Provisioned Concurrency alias");
    }
  }

  /**
   * UpdateAlias moving an alias with a config (its FunctionVersion, or a weighted version) onto a
   * version with its own config or another alias's: the mirror of the Put refused above, refused
   * with the same ResourceConflictException before the alias moves (AWS refuses it; its message
   * for UpdateAlias is not recorded anywhere we found: chosen, the Put's).
   */
  checkAliasMove(functionName: string, alias: AliasRecord): void {
    if (!this.configs.has(key(functionName, alias.name))) return;
    const rec = this.registry.get(functionName);
    const others = [...this.configs.values()].filter((c) => c.functionName === functionName && c.qualifier !== alias.name);
    for (const version of [alias.functionVersion, ...Object.keys(alias.additionalVersionWeights ?? {})]) {
      if (others.some((c) => c.qualifier === version || pointsTo(rec.aliases.get(c.qualifier), version))) {
        throw lambdaErrors.resourceConflict("Alias can't be used for Provisioned Concurrency configuration on an already Provisioned version");
      }
    }
  }

  private registryChanged(c: RegistryChange): void {
    if (c.kind === "alias") {
      const config = this.configs.get(key(c.functionName, c.version));
      if (config === undefined) return;
      if (!sameAllocation(config.allocation, this.allocationOf(config))) {
        config.status = "IN_PROGRESS";
        config.statusReason = undefined;
        void this.allocate(config);
      } else if (config.held !== undefined) {
        // Saved again mid-move (its description, say): the record as saved dropped the hold.
        this.registry.holdAliasRouting(c.functionName, c.version, config.held);
      }
    } else if (c.kind === "deleted") {
      // A deleted alias or version takes its config along; a deleted function ($LATEST) all of them.
      for (const config of [...this.configs.values()]) {
        if (config.functionName === c.functionName && (c.version === "$LATEST" || config.qualifier === c.version)) this.remove(config, c.version === "$LATEST");
      }
    }
  }

  /**
   * Puts the config's environments where its qualifier points now: the new versions' first, then
   * (READY) the versions it left are released. An alias moving from one version to another keeps
   * its traffic on the old one until then.
   */
  private async allocate(config: ProvisionedConfig): Promise<void> {
    const previous = config.allocation;
    const next = this.allocationOf(config);
    config.allocation = next;
    config.leaving = [...new Set([...config.leaving, ...Object.keys(previous)])].filter((v) => !(v in next));
    const to = Object.keys(next);
    const from = Object.keys(previous);
    // One version to another (a deploy's UpdateAlias) with the old one's environments up: hold.
    if (config.held === undefined && from.length === 1 && to.length === 1 && from[0] !== to[0] && this.invoker.provisionedReady(config.functionName, from[0]!) > 0) config.held = from[0];
    if (config.held !== undefined && (to.length !== 1 || config.held in next)) this.release(config);
    if (config.held !== undefined) this.registry.holdAliasRouting(config.functionName, config.qualifier, config.held);
    for (const [version, count] of Object.entries(next)) this.announce(config, version, count);
    const results = await Promise.all(to.map((v) => this.reconcile(config.functionName, v)));
    if (this.configs.get(key(config.functionName, config.qualifier)) !== config || config.allocation !== next) return;
    config.status = results.every(Boolean) ? "READY" : "FAILED";
    if (config.status === "FAILED") config.statusReason = "FUNCTION_ERROR_INIT_FAILURE";
    // Failed or not, the alias then runs as the user set it, and the old environments go.
    this.release(config);
    for (const version of config.leaving) {
      this.announce(config, version, 0);
      void this.reconcile(config.functionName, version);
    }
    config.leaving = [];
  }

  /** Ends an alias's hold on its old version. */
  private release(config: ProvisionedConfig): void {
    if (config.held === undefined) return;
    config.held = undefined;
    this.registry.holdAliasRouting(config.functionName, config.qualifier, undefined);
  }

  /**
   * The versions a qualifier's environments belong on. A weighted alias (a canary or linear
   * deployment) splits them by its weights: AWS's Allocated count "fluctuates depending on the
   * amount of concurrency that is provisioned for the function versions" (API reference); the
   * split in proportion, rounded, is our choice.
   */
  private allocationOf(config: ProvisionedConfig): Record<string, number> {
    const rec = this.registry.has(config.functionName) ? this.registry.get(config.functionName) : undefined;
    const alias: AliasRecord | undefined = rec?.aliases.get(config.qualifier);
    if (alias === undefined) return rec?.versions.has(config.qualifier) ? { [config.qualifier]: config.requested } : {};
    // During our own hold the alias's target is its FunctionVersion.
    const weights = alias.heldFor === undefined ? Object.entries(alias.additionalVersionWeights ?? {}) : [];
    const out: Record<string, number> = {};
    let left = config.requested;
    for (const [version, weight] of weights) {
      const n = Math.round(config.requested * weight);
      if (n > 0) out[version] = n;
      left -= n;
    }
    if (left > 0) out[alias.functionVersion] = left;
    return out;
  }

  /** A version's provisioned environments: what every config of the function allocates to it. */
  private reconcile(functionName: string, version: string): Promise<boolean> {
    let total = 0;
    for (const c of this.configs.values()) if (c.functionName === functionName) total += c.allocation[version] ?? 0;
    return this.invoker.provision(functionName, version, total);
  }

  private remove(config: ProvisionedConfig, functionGone = false): void {
    this.configs.delete(key(config.functionName, config.qualifier));
    this.store.db.prepare("DELETE FROM provisioned_concurrency WHERE name = ? AND qualifier = ?").run(config.functionName, config.qualifier);
    this.release(config);
    for (const version of [...Object.keys(config.allocation), ...config.leaving]) {
      this.announce(config, version, 0);
      // A deleted function's pools are retired by the Invoker already.
      if (!functionGone) void this.reconcile(config.functionName, version);
    }
  }

  /** Which version the qualifier's provisioned environments run: the CloudWatch metrics name them by the qualifier. */
  private announce(config: ProvisionedConfig, version: string, requested: number): void {
    this.telemetry.emit({ type: "provisioned-concurrency.changed", functionName: config.functionName, qualifier: config.qualifier, version, requested });
  }
}

function key(name: string, qualifier: string): string {
  return `${name}:${qualifier}`;
}

/** Whether the alias routes to `version`: its own, or the user's additional version (not our hold's). */
function pointsTo(alias: AliasRecord | undefined, version: string): boolean {
  if (alias === undefined) return false;
  return alias.functionVersion === version || (alias.heldFor === undefined && alias.additionalVersionWeights?.[version] !== undefined);
}

function sameAllocation(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}
