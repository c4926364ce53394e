import { dirname } from "node:path";
import type { Clock } from "../clock/clock.ts";
import { lambdaErrors } from "../errors/lambda-errors.ts";
import type { RandomStream, Rng } from "../random/rng.ts";
import type { Store } from "../store/store.ts";
import type { Telemetry } from "../telemetry/telemetry.ts";
import { pickVersion, type AliasRecord } from "./alias-routing.ts";
import { CodeCollector, type CodeUsers } from "./code-collector.ts";
import { CodeStore } from "./code-store.ts";
import { FunctionTransitions, type TransitionTimes } from "./function-transitions.ts";
import { LayerRegistry } from "./layer-registry.ts";
import type { FunctionVersionConfig, ResolvedInvocationTarget } from "./function-model.ts";
import { awsTimestamp, elsewhereArn, parseFunctionName, qualifiedFunctionName } from "./function-names.ts";
import { FunctionRecordStore, type FunctionRecord } from "./function-records.ts";
import { StatePaths } from "./state-paths.ts";
import { versionSnapshot } from "./version-snapshot.ts";

export interface FunctionRegistryOptions {
  store: Store;
  clock: Clock;
  rng: Rng;
  telemetry: Telemetry;
  region: string;
  accountId: string;
  /** Where uploaded zips are unpacked: <stateDir>/code, or a temp dir for in-memory. */
  codeRoot: string;
  /** More folders of unpacked packages (`<name>/<sha256>`) whose unused ones go as codeRoot's do (code-collector.ts). */
  otherCodeRoots?: readonly string[];
  /** How long API-made changes stay Pending / InProgress (function-transitions.ts); instant by default. */
  transitions?: TransitionTimes;
}

/** `version` is the qualifier changed: a version, or an alias when an alias is saved (`alias`) or deleted. */
export type RegistryChange = { functionName: string; version: string; kind: "code" | "configuration" | "deleted" | "alias" };

export type { FunctionRecord } from "./function-records.ts";

export { SIM_DEFAULTS } from "./definition-fields.ts";

/**
 * The control plane (DESIGN.md `FunctionRegistry`): functions, published versions and aliases,
 * persisted in SQLite (function-records.ts) and held in memory, so `resolve` on the invoke path never touches SQL.
 * `$LATEST` is the only mutable version (aws-facts §11); every change gets a new revision id and
 * is announced to `onChange` listeners, which retire warm environments.
 */
export class FunctionRegistry {
  readonly region: string;
  readonly accountId: string;
  readonly code: CodeStore;
  /** What of the code folder is in use, and the removal of the rest (code-collector.ts). */
  private readonly collector: CodeCollector;
  /** PublishLayerVersion and friends; functions' `Layers` are resolved against it. */
  readonly layers: LayerRegistry;
  /** Pending after CreateFunction, InProgress after an update: what the API shows and refuses meanwhile. */
  readonly transitions: FunctionTransitions;
  /** The records' rows in the Store (function-records.ts). */
  private readonly records: FunctionRecordStore;
  private readonly clock: Clock;
  private readonly telemetry: Telemetry;
  private readonly ids: RandomStream;
  private readonly routing: RandomStream;
  private readonly functions = new Map<string, FunctionRecord>();
  private listeners: ((c: RegistryChange) => void)[] = [];

  constructor(opts: FunctionRegistryOptions) {
    // Directories inside the state directory are stored relative to it (state-paths.ts).
    this.records = new FunctionRecordStore(opts.store, new StatePaths(dirname(opts.codeRoot)));
    this.clock = opts.clock;
    this.telemetry = opts.telemetry;
    this.region = opts.region;
    this.accountId = opts.accountId;
    this.collector = new CodeCollector(opts.codeRoot, opts.otherCodeRoots);
    this.code = new CodeStore(opts.codeRoot, this.collector);
    this.transitions = new FunctionTransitions(opts.clock, opts.transitions);
    this.layers = new LayerRegistry({ store: opts.store, clock: opts.clock, ids: opts.rng.stream("layer-ids"), region: opts.region, accountId: opts.accountId, codeRoot: opts.codeRoot, collector: this.collector });
    this.collector.use(() => this.codeInUse());
    this.ids = opts.rng.stream("ids");
    this.routing = opts.rng.stream("alias-routing");
    this.load();
  }

  /** `arn:aws:lambda:<region>:<account>:function:<name>` */
  arn(name: string): string {
    return `arn:aws:lambda:${this.region}:${this.accountId}:function:${name}`;
  }

  newRevisionId(): string {
    return this.ids.uuid();
  }

  now(): string {
    return awsTimestamp(this.clock.now());
  }

  onChange(listener: (change: RegistryChange) => void): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  listFunctionNames(): string[] {
    return [...this.functions.keys()].sort();
  }

  list(): FunctionRecord[] {
    return this.listFunctionNames().map((n) => this.functions.get(n)!);
  }

  /** The record, or ResourceNotFoundException `Function not found: <arn>` (aws-facts §1.4). */
  get(nameOrArn: string): FunctionRecord {
    this.checkAccount(nameOrArn);
    const { name } = parseFunctionName(nameOrArn);
    const rec = this.functions.get(name);
    if (rec === undefined) throw lambdaErrors.functionNotFound(this.arn(name));
    return rec;
  }

  has(name: string): boolean {
    return this.functions.has(name);
  }

  /** `Function not found` for a full or partial ARN of another account (function-names.ts elsewhereArn). */
  checkAccount(nameOrArn: string): void {
    const elsewhere = elsewhereArn(nameOrArn, this.region, this.accountId);
    if (elsewhere !== undefined) throw lambdaErrors.functionNotFound(elsewhere);
  }

  /**
   * Name, `name:qualifier`, full or partial ARN (+ Qualifier) → what to run. Aliases with
   * AdditionalVersionWeights pick a version per call (aws-facts §11: routing is per request).
   */
  resolve(functionName: string, qualifier?: string): ResolvedInvocationTarget {
    this.checkAccount(functionName);
    const parsed = qualifiedFunctionName(functionName, qualifier);
    const q = parsed.qualifier;
    const rec = this.functions.get(parsed.name);
    const arn = this.arn(parsed.name);
    // Unqualified: "Function not found: <arn>:$LATEST" in the 2025 recordings (aws-facts §1.4).
    if (rec === undefined) throw lambdaErrors.functionNotFound(`${arn}:${q ?? "$LATEST"}`);
    if (q === undefined || q === "$LATEST") {
      return { config: rec.latest, invokedFunctionArn: q === undefined ? arn : `${arn}:$LATEST`, executedVersion: "$LATEST" };
    }
    const version = rec.versions.get(q);
    if (version !== undefined) return { config: version, invokedFunctionArn: `${arn}:${q}`, executedVersion: q };
    const alias = rec.aliases.get(q);
    if (alias === undefined) throw lambdaErrors.functionNotFound(`${arn}:${q}`);
    const picked = pickVersion(alias, this.routing.next());
    const config = picked === "$LATEST" ? rec.latest : rec.versions.get(picked);
    if (config === undefined) throw lambdaErrors.functionNotFound(`${arn}:${picked}`);
    return { config, invokedFunctionArn: `${arn}:${q}`, executedVersion: picked };
  }

  /** Adds a new function ($LATEST). The caller validated the input. */
  create(config: FunctionVersionConfig, source: "api" | "config"): FunctionRecord {
    const rec: FunctionRecord = { name: config.functionName, source, latest: config, versions: new Map(), aliases: new Map(), nextVersion: 1 };
    this.records.created(rec);
    this.functions.set(rec.name, rec);
    this.telemetry.emit({ type: "function.changed", functionName: rec.name, change: "created" });
    return rec;
  }

  /** Replaces $LATEST with a new revision and retires its warm environments. */
  updateLatest(name: string, patch: Partial<FunctionVersionConfig>, kind: "code" | "configuration"): FunctionVersionConfig {
    const rec = this.get(name);
    const previous = rec.latest;
    rec.latest = { ...previous, ...patch, lastModified: this.now(), revisionId: this.newRevisionId() };
    this.records.latestChanged(rec);
    this.announce({ functionName: name, version: "$LATEST", kind });
    // The previous package or /opt, unless a version (or a live environment) still uses it.
    if (previous.codeDir !== rec.latest.codeDir || previous.optDir !== rec.latest.optDir) this.collectCode();
    this.telemetry.emit({ type: "function.changed", functionName: name, change: kind });
    return rec.latest;
  }

  /** Snapshots $LATEST as the next numeric version (aws-facts §11; version-snapshot.ts). */
  publish(name: string, description: string | undefined): FunctionVersionConfig {
    const rec = this.get(name);
    // No new version when code and configuration are unchanged since the last publish: AWS
    // returns that version (aws-facts §11). A template's AutoPublishAlias relies on it at restart.
    const last = rec.versions.get(String(rec.nextVersion - 1));
    if (last !== undefined && versionSnapshot.same(last, rec.latest)) return last;
    const version = String(rec.nextVersion);
    const config: FunctionVersionConfig = {
      ...rec.latest,
      ...versionSnapshot.code(this.code, name, rec.latest, last ?? [...rec.versions.values()].at(-1)),
      version,
      description: description ?? rec.latest.description,
      revisionId: this.newRevisionId(),
    };
    rec.versions.set(version, config);
    rec.nextVersion++;
    this.records.published(rec, config);
    this.telemetry.emit({ type: "function.changed", functionName: name, change: "published", version });
    return config;
  }

  deleteVersion(name: string, version: string): void {
    const rec = this.get(name);
    const config = rec.versions.get(version);
    if (config === undefined) return;
    rec.versions.delete(version);
    this.records.versionDeleted(name, version);
    this.announce({ functionName: name, version, kind: "deleted" });
    // Its package or published copy of a folder, and its /opt, unless something else uses them.
    this.collectCode();
  }

  delete(name: string): void {
    const rec = this.get(name);
    this.functions.delete(name);
    this.transitions.deleted(name);
    this.records.deleted(name);
    for (const v of ["$LATEST", ...rec.versions.keys()]) this.announce({ functionName: name, version: v, kind: "deleted" });
    // Uploaded packages or published copies of a declared function's folder, and merged /opts:
    // those a busy environment still runs from go when it retires (the invoker collects again).
    this.collectCode();
    this.telemetry.emit({ type: "function.changed", functionName: name, change: "deleted" });
  }

  /** Persists a reservation the governor has accepted. */
  saveReservedConcurrency(name: string, reserved: number | undefined): void {
    const rec = this.get(name);
    rec.reservedConcurrency = reserved;
    this.records.reservedConcurrencyChanged(rec);
  }

  saveRecursiveLoop(name: string, loop: "Allow" | "Terminate"): void {
    const rec = this.get(name);
    rec.recursiveLoop = loop;
    this.records.recursiveLoopChanged(rec);
  }

  saveAlias(name: string, alias: AliasRecord): void {
    const rec = this.get(name);
    rec.aliases.set(alias.name, alias);
    this.records.aliasSaved(name, alias);
    // Provisioned concurrency on the alias follows it to its new version(s).
    this.announce({ functionName: name, version: alias.name, kind: "alias" });
  }

  /**
   * While provisioned concurrency moves to the alias's new version, its traffic stays on `version`
   * (the old one, still provisioned): AWS shows the alias meanwhile with RoutingConfig
   * `{ <old>: 1 }` (terraform-provider-aws#48116 waits for it to clear). In memory only: after a
   * restart nothing is warm, and the alias runs as saved. `undefined` ends the hold.
   */
  holdAliasRouting(name: string, alias: string, version: string | undefined): void {
    const current = this.functions.get(name)?.aliases.get(alias);
    if (current === undefined) return;
    if (version !== undefined) this.functions.get(name)!.aliases.set(alias, { ...current, additionalVersionWeights: { [version]: 1 }, heldFor: version });
    else if (current.heldFor !== undefined) this.functions.get(name)!.aliases.set(alias, { ...current, additionalVersionWeights: undefined, heldFor: undefined });
  }

  deleteAlias(name: string, alias: string): void {
    this.get(name).aliases.delete(alias);
    this.records.aliasDeleted(name, alias);
    // What hangs off the alias (its event-invoke config) goes with it, as on AWS.
    this.announce({ functionName: name, version: alias, kind: "deleted" });
  }

  /**
   * Removes what nothing uses from the code folder (code-collector.ts): after a deletion or an
   * update here, a layer version's deletion, an environment's retirement, and at start for what
   * an earlier run left.
   */
  collectCode(): void {
    this.collector.collect();
  }

  /** Adds a source of code directories in use that the registry does not know of (live environments). */
  useCode(users: CodeUsers): void {
    this.collector.use(users);
  }

  /** Every directory a function's $LATEST or published version runs from: its code, its layers, its /opt. */
  private *codeInUse(): Iterable<string | undefined> {
    for (const rec of this.functions.values()) {
      for (const c of [rec.latest, ...rec.versions.values()]) yield* [c.codeDir, c.optDir, ...(c.layers ?? []).map((l) => l.dir)];
    }
  }

  private announce(change: RegistryChange): void {
    for (const l of this.listeners) l(change);
  }

  private load(): void {
    for (const rec of this.records.load()) this.functions.set(rec.name, rec);
  }
}
