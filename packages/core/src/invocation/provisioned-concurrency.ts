import { AwsError } from "../errors/aws-error.ts";
import { lambdaErrors } from "../errors/lambda-errors.ts";
import type { FunctionRegistry } from "../registry/function-registry.ts";
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
}

/**
 * Provisioned concurrency (aws-facts §4): environments of a published version or alias initialised
 * ahead of traffic with AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency, IN_PROGRESS until
 * they are all up (READY) or one fails its init (FAILED, FUNCTION_ERROR_INIT_FAILURE). Configs
 * persist; their environments are provisioned again after a restart.
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
  }

  /** Provisions every stored config again (after a restart). */
  restore(): void {
    const rows = this.store.db.prepare("SELECT name, qualifier, requested, last_modified FROM provisioned_concurrency").all() as {
      name: string; qualifier: string; requested: number; last_modified: string;
    }[];
    for (const r of rows) {
      if (!this.registry.has(r.name)) continue;
      this.start({ functionName: r.name, qualifier: r.qualifier, requested: r.requested, status: "IN_PROGRESS", lastModified: r.last_modified });
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
    if (rec.reservedConcurrency !== undefined && requested > rec.reservedConcurrency) {
      throw lambdaErrors.invalidParameterValue("Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function");
    }
    const config: ProvisionedConfig = { functionName: rec.name, qualifier, requested, status: "IN_PROGRESS", lastModified: this.registry.now() };
    this.store.db
      .prepare("INSERT OR REPLACE INTO provisioned_concurrency (name, qualifier, requested, last_modified) VALUES (?, ?, ?, ?)")
      .run(rec.name, qualifier, requested, config.lastModified);
    this.start(config);
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
    const config = this.get(functionName, qualifier);
    this.configs.delete(key(config.functionName, config.qualifier));
    this.store.db.prepare("DELETE FROM provisioned_concurrency WHERE name = ? AND qualifier = ?").run(config.functionName, config.qualifier);
    this.announce(config.functionName, config.qualifier, 0);
    void this.invoker.provision(config.functionName, config.qualifier, 0);
  }

  /** Available = environments up; Allocated = the requested count once READY. */
  available(config: ProvisionedConfig): number {
    return this.invoker.provisionedReady(config.functionName, config.qualifier);
  }

  private start(config: ProvisionedConfig): void {
    this.configs.set(key(config.functionName, config.qualifier), config);
    this.announce(config.functionName, config.qualifier, config.requested);
    void this.invoker.provision(config.functionName, config.qualifier, config.requested).then((ok) => {
      if (this.configs.get(key(config.functionName, config.qualifier)) !== config) return;
      config.status = ok ? "READY" : "FAILED";
      if (!ok) config.statusReason = "FUNCTION_ERROR_INIT_FAILURE";
    });
  }

  /** Which version the qualifier's provisioned environments run: the CloudWatch metrics name them by the qualifier. */
  private announce(functionName: string, qualifier: string, requested: number): void {
    const version = this.registry.get(functionName).aliases.get(qualifier)?.functionVersion ?? qualifier;
    this.telemetry.emit({ type: "provisioned-concurrency.changed", functionName, qualifier, version, requested });
  }
}

function key(name: string, qualifier: string): string {
  return `${name}:${qualifier}`;
}
