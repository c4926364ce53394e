import { binaryOrder } from "../text/binary-order.ts";
import type { Clock } from "../clock/clock.ts";
import type { FunctionDefinition } from "../config/function-definition.ts";
import { AwsError } from "../errors/aws-error.ts";
import { lambdaErrors } from "../errors/lambda-errors.ts";
import {
  DEFAULT_MAXIMUM_EVENT_AGE_SECONDS,
  DEFAULT_MAXIMUM_RETRY_ATTEMPTS,
  MAXIMUM_EVENT_AGE_RANGE,
  MAXIMUM_RETRY_ATTEMPTS_RANGE,
  type AsyncRetryConfig,
} from "./async-retry-config.ts";
import type { Store } from "../store/store.ts";
import { arnService } from "../text/arn-fields.ts";
import type { FunctionRegistry } from "./function-registry.ts";
import { parseFunctionName } from "./function-names.ts";
import { expandShortName } from "../config/short-names.ts";

/** One PutFunctionEventInvokeConfig, for a function's $LATEST, a version or an alias. */
export interface EventInvokeConfig {
  functionName: string;
  qualifier: string;
  maximumRetryAttempts?: number;
  maximumEventAgeInSeconds?: number;
  onSuccess?: string;
  onFailure?: string;
  /** Clock ms. */
  lastModified: number;
}

export type EventInvokeConfigInput = Pick<EventInvokeConfig, "maximumRetryAttempts" | "maximumEventAgeInSeconds" | "onSuccess" | "onFailure">;

/** What the AsyncQueue needs for an event: retry settings with defaults, and its destinations. */
export interface AsyncSettings extends AsyncRetryConfig {
  onSuccess?: string;
  onFailure?: string;
}

/** DestinationConfig's pattern in botocore's lambda model (OnSuccess/OnFailure Destination, ≤ 350). */
const DESTINATION_PATTERN = /^$|^arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9-])+:([a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\d{1})?:(\d{12})?:(.*)$/;
const DESTINATION_PATTERN_TEXT = "^$|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:([a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)";
/** Destination services (aws-facts §5): S3 for OnFailure only. */
const SERVICES = { onSuccess: ["sqs", "sns", "lambda", "events"], onFailure: ["sqs", "sns", "lambda", "events", "s3"] };

/**
 * The event-invoke configs (DESIGN.md `FunctionRegistry`: part of the control plane), kept in
 * SQLite and in memory so that each async attempt looks its config up without SQL. A function's
 * configs go with it (ON DELETE CASCADE); a deleted version's config goes with the version.
 */
export class EventInvokeConfigs {
  private readonly store: Store;
  private readonly registry: FunctionRegistry;
  private readonly clock: Clock;
  private readonly configs = new Map<string, EventInvokeConfig>();

  constructor(store: Store, registry: FunctionRegistry, clock: Clock) {
    this.store = store;
    this.registry = registry;
    this.clock = clock;
    type Row = { name: string; qualifier: string; maximum_retry_attempts: number | null; maximum_event_age_in_seconds: number | null; on_success: string | null; on_failure: string | null; last_modified: number };
    for (const r of store.db.prepare("SELECT * FROM event_invoke_configs").all() as Row[]) {
      this.configs.set(key(r.name, r.qualifier), {
        functionName: r.name,
        qualifier: r.qualifier,
        maximumRetryAttempts: r.maximum_retry_attempts ?? undefined,
        maximumEventAgeInSeconds: r.maximum_event_age_in_seconds ?? undefined,
        onSuccess: r.on_success ?? undefined,
        onFailure: r.on_failure ?? undefined,
        lastModified: r.last_modified,
      });
    }
    registry.onChange((c) => {
      if (c.kind !== "deleted") return;
      for (const cfg of [...this.configs.values()]) {
        if (cfg.functionName === c.functionName && (c.version === "$LATEST" || cfg.qualifier === c.version)) this.remove(cfg.functionName, cfg.qualifier);
      }
    });
  }

  /** The settings for an event invoked with `qualifier` (none = $LATEST): no fallback between qualifiers, as on AWS. */
  settings(functionName: string, qualifier: string | undefined): AsyncSettings {
    const c = this.configs.get(key(functionName, qualifier ?? "$LATEST"));
    return {
      maximumRetryAttempts: c?.maximumRetryAttempts ?? DEFAULT_MAXIMUM_RETRY_ATTEMPTS,
      maximumEventAgeMs: (c?.maximumEventAgeInSeconds ?? DEFAULT_MAXIMUM_EVENT_AGE_SECONDS) * 1000,
      onSuccess: c?.onSuccess,
      onFailure: c?.onFailure,
    };
  }

  get(functionName: string, qualifier: string): EventInvokeConfig | undefined {
    return this.configs.get(key(functionName, qualifier));
  }

  list(functionName: string): EventInvokeConfig[] {
    return [...this.configs.values()].filter((c) => c.functionName === functionName).sort((a, b) => binaryOrder(a.qualifier, b.qualifier));
  }

  /**
   * PutFunctionEventInvokeConfig (`replace`: unset members are cleared) or
   * UpdateFunctionEventInvokeConfig (unset members are kept). The caller resolved the target.
   */
  save(functionName: string, qualifier: string, input: EventInvokeConfigInput, replace: boolean): EventInvokeConfig {
    this.validate(functionName, input);
    const previous = replace ? undefined : this.configs.get(key(functionName, qualifier));
    const config: EventInvokeConfig = {
      functionName,
      qualifier,
      maximumRetryAttempts: input.maximumRetryAttempts ?? previous?.maximumRetryAttempts,
      maximumEventAgeInSeconds: input.maximumEventAgeInSeconds ?? previous?.maximumEventAgeInSeconds,
      onSuccess: input.onSuccess ?? previous?.onSuccess,
      onFailure: input.onFailure ?? previous?.onFailure,
      lastModified: this.clock.now(),
    };
    // An empty Destination clears it (the model's pattern allows "").
    if (config.onSuccess === "") config.onSuccess = undefined;
    if (config.onFailure === "") config.onFailure = undefined;
    this.store.db
      .prepare("INSERT OR REPLACE INTO event_invoke_configs (name, qualifier, maximum_retry_attempts, maximum_event_age_in_seconds, on_success, on_failure, last_modified) VALUES (?, ?, ?, ?, ?, ?, ?)")
      .run(functionName, qualifier, config.maximumRetryAttempts ?? null, config.maximumEventAgeInSeconds ?? null, config.onSuccess ?? null, config.onFailure ?? null, config.lastModified);
    this.configs.set(key(functionName, qualifier), config);
    return config;
  }

  remove(functionName: string, qualifier: string): boolean {
    this.store.db.prepare("DELETE FROM event_invoke_configs WHERE name = ? AND qualifier = ?").run(functionName, qualifier);
    return this.configs.delete(key(functionName, qualifier));
  }

  /**
   * `functions.<name>.eventInvokeConfig` in lambda-sim.yaml, for $LATEST: the file is
   * authoritative, so a config removed from the file is removed here. `sqs:NAME`, `lambda:NAME`
   * become ARNs. Called after the registry applied the definitions (destinations may name any).
   */
  applyDefinitions(defs: readonly FunctionDefinition[]): void {
    for (const def of defs) {
      const cfg = def.eventInvokeConfig;
      const current = this.get(def.functionName, "$LATEST");
      if (cfg === undefined) {
        if (current !== undefined) this.remove(def.functionName, "$LATEST");
        continue;
      }
      const expand = (ref: string | undefined) => (ref === undefined ? undefined : expandShortName(ref, this.registry.region, this.registry.accountId));
      const input: EventInvokeConfigInput = { ...cfg, onSuccess: expand(cfg.onSuccess), onFailure: expand(cfg.onFailure) };
      const same = current !== undefined && (["maximumRetryAttempts", "maximumEventAgeInSeconds", "onSuccess", "onFailure"] as const).every((k) => current[k] === input[k]);
      if (!same) this.save(def.functionName, "$LATEST", input, true);
    }
  }

  /** AWS's checks (botocore model ranges; messages as LocalStack's AWS-validated tests record them). */
  private validate(functionName: string, input: EventInvokeConfigInput): void {
    checkRange(input.maximumRetryAttempts, "maximumRetryAttempts", MAXIMUM_RETRY_ATTEMPTS_RANGE);
    checkRange(input.maximumEventAgeInSeconds, "maximumEventAgeInSeconds", MAXIMUM_EVENT_AGE_RANGE);
    let invalid = false;
    for (const which of ["onSuccess", "onFailure"] as const) {
      const arn = input[which];
      if (arn === undefined || arn === "") continue;
      if (arn.length > 350 || !DESTINATION_PATTERN.test(arn)) {
        throw new AwsError("ValidationException", 400, `1 validation error detected: Value '${arn}' at 'destinationConfig.${which}.destination' failed to satisfy constraint: Member must satisfy regular expression pattern: ${DESTINATION_PATTERN_TEXT}`, { messageKey: "message" });
      }
      const service = arnService(arn);
      if (!SERVICES[which].includes(service)) invalid = true;
      if (service === "lambda") {
        // AWS checks that a Lambda destination exists, and refuses the function itself. It does not
        // check that a queue or topic exists (only the role's permission): neither does lambda-sim.
        const target = parseFunctionName(arn).name;
        if (!this.registry.has(target)) throw lambdaErrors.invalidParameterValue(`The destination ARN ${arn} is invalid.`);
        if (target === functionName) throw lambdaErrors.invalidParameterValue("You can't specify the function as a destination for itself.");
      }
    }
    if (invalid) {
      const part = (name: string, arn: string | undefined) => (arn ? `${name}(destination=${arn})` : "null");
      throw lambdaErrors.invalidParameterValue(`The provided destination config DestinationConfig(onSuccess=${part("OnSuccess", input.onSuccess)}, onFailure=${part("OnFailure", input.onFailure)}) is invalid.`);
    }
  }
}

function key(functionName: string, qualifier: string): string {
  return `${functionName}:${qualifier}`;
}

function checkRange(value: unknown, member: string, [min, max]: readonly [number, number]): void {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isInteger(value)) throw lambdaErrors.invalidParameterValue(`Value '${String(value)}' at '${member}' must be an integer.`);
  const constraint = value < min ? `greater than or equal to ${min}` : value > max ? `less than or equal to ${max}` : undefined;
  if (constraint !== undefined) {
    throw new AwsError("ValidationException", 400, `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must have value ${constraint}`, { messageKey: "message" });
  }
}
