import { binaryOrder } from "../text/binary-order.ts";
import { createHash } from "node:crypto";
import type { Clock } from "../clock/clock.ts";
import { lambdaErrors } from "../errors/lambda-errors.ts";
import type { RandomStream } from "../random/rng.ts";
import type { FunctionRegistry } from "../registry/function-registry.ts";
import { awsTimestamp } from "../registry/function-names.ts";
import { loadMigrations, type Migration } from "../store/migrate.ts";
import type { Store } from "../store/store.ts";

/** Function URLs' own tables (owner `function-urls`), run after core's. */
export const FUNCTION_URL_MIGRATIONS: readonly Migration[] = loadMigrations("function-urls", new URL("./migrations/", import.meta.url));

export type FunctionUrlAuthType = "NONE" | "AWS_IAM";
export type InvokeMode = "BUFFERED" | "RESPONSE_STREAM";

/** botocore's `Cors` shape, kept as the API takes and returns it. */
export interface Cors {
  AllowCredentials?: boolean;
  AllowHeaders?: string[];
  AllowMethods?: string[];
  AllowOrigins?: string[];
  ExposeHeaders?: string[];
  MaxAge?: number;
}

export interface FunctionUrlConfig {
  functionName: string;
  /** An alias, or undefined for the unqualified function ($LATEST). */
  qualifier: string | undefined;
  urlId: string;
  authType: FunctionUrlAuthType;
  invokeMode: InvokeMode;
  cors: Cors | undefined;
  creationTime: string;
  lastModifiedTime: string;
  source: "api" | "config";
}

/** `functionUrl:` on a function in lambda-sim.yaml (or a SAM `FunctionUrlConfig`). */
export interface FunctionUrlDefinition {
  authType: FunctionUrlAuthType;
  invokeMode?: InvokeMode;
  cors?: Cors;
  /** lambda-sim.yaml only: the url id to serve it under (default: derived from the function's name). */
  urlId?: string;
}

interface Row {
  function_name: string;
  qualifier: string;
  url_id: string;
  auth_type: FunctionUrlAuthType;
  invoke_mode: InvokeMode;
  cors: string | null;
  creation_time: string;
  last_modified_time: string;
  source: "api" | "config";
}

const NOT_FOUND = "The resource you requested does not exist.";

/**
 * The Function URL configs of all functions: in SQLite and in memory (a request looks its url id
 * up on every call). A function's URLs go when it does, an alias's when the alias does, as on AWS.
 * Url ids are 32 characters of [a-z0-9] as AWS's are: random for CreateFunctionUrlConfig, derived
 * from the function's name for lambda-sim.yaml, so a declared URL keeps its address even in memory.
 */
export class FunctionUrls {
  private readonly store: Store;
  private readonly registry: FunctionRegistry;
  private readonly clock: Clock;
  private readonly ids: RandomStream;
  private readonly byKey = new Map<string, FunctionUrlConfig>();
  private readonly byId = new Map<string, FunctionUrlConfig>();

  constructor(opts: { store: Store; registry: FunctionRegistry; clock: Clock; ids: RandomStream }) {
    this.store = opts.store;
    this.registry = opts.registry;
    this.clock = opts.clock;
    this.ids = opts.ids;
    for (const row of this.store.db.prepare("SELECT * FROM function_url_configs").all() as Row[]) {
      const u = fromRow(row);
      // A function (or alias) removed while the simulator was down (gone from lambda-sim.yaml) takes its URL along.
      if (this.exists(u.functionName, u.qualifier)) this.remember(u);
      else this.forget(u);
    }
    this.registry.onChange((c) => {
      if (c.kind !== "deleted") return;
      if (c.version === "$LATEST") for (const u of this.list(c.functionName)) this.forget(u);
      else if (!/^\d+$/.test(c.version)) {
        const u = this.byKey.get(key(c.functionName, c.version));
        if (u !== undefined) this.forget(u);
      }
    });
  }

  private exists(functionName: string, qualifier: string | undefined): boolean {
    return this.registry.has(functionName) && (qualifier === undefined || this.registry.get(functionName).aliases.has(qualifier));
  }

  byUrlId(urlId: string): FunctionUrlConfig | undefined {
    return this.byId.get(urlId);
  }

  all(): FunctionUrlConfig[] {
    return [...this.byKey.values()].sort((a, b) => binaryOrder(key(a.functionName, a.qualifier), key(b.functionName, b.qualifier)));
  }

  /** ListFunctionUrlConfigs: the unqualified function's first, then its aliases'. */
  list(functionName: string): FunctionUrlConfig[] {
    return this.all().filter((u) => u.functionName === functionName);
  }

  /** The config, or ResourceNotFoundException as AWS words it for a missing URL. */
  get(functionName: string, qualifier: string | undefined): FunctionUrlConfig {
    const u = this.byKey.get(key(functionName, qualifier));
    if (u === undefined) throw lambdaErrors.resourceNotFound(NOT_FOUND);
    return u;
  }

  create(functionName: string, qualifier: string | undefined, def: FunctionUrlDefinition, source: "api" | "config" = "api"): FunctionUrlConfig {
    if (this.byKey.has(key(functionName, qualifier))) {
      const arn = this.registry.arn(functionName) + (qualifier === undefined ? "" : `:${qualifier}`);
      throw lambdaErrors.resourceConflict(`Failed to create function url config for [functionArn = ${arn}]. Error message:  FunctionUrlConfig exists for this Lambda function`);
    }
    const now = awsTimestamp(this.clock.now());
    const urlId = source === "config" ? (def.urlId ?? this.derivedId(functionName, qualifier)) : this.randomId();
    const u: FunctionUrlConfig = { functionName, qualifier, urlId, authType: def.authType, invokeMode: def.invokeMode ?? "BUFFERED", cors: def.cors, creationTime: now, lastModifiedTime: now, source };
    this.save(u);
    return u;
  }

  /** UpdateFunctionUrlConfig: what is given replaces what was (Cors as a whole). */
  update(functionName: string, qualifier: string | undefined, patch: Partial<FunctionUrlDefinition>): FunctionUrlConfig {
    const current = this.get(functionName, qualifier);
    const u: FunctionUrlConfig = {
      ...current,
      authType: patch.authType ?? current.authType,
      invokeMode: patch.invokeMode ?? current.invokeMode,
      cors: patch.cors ?? current.cors,
      lastModifiedTime: awsTimestamp(this.clock.now()),
    };
    this.save(u);
    return u;
  }

  delete(functionName: string, qualifier: string | undefined): void {
    this.forget(this.get(functionName, qualifier));
  }

  /**
   * lambda-sim.yaml's `functionUrl:` keys: created, updated in place (same url id), or removed
   * when no longer declared. URLs made through the API are left alone.
   */
  applyDefinitions(defs: readonly { functionName: string; functionUrl?: FunctionUrlDefinition }[]): void {
    const declared = new Map(defs.filter((d) => d.functionUrl !== undefined).map((d) => [d.functionName, d.functionUrl!]));
    for (const u of this.all()) if (u.source === "config" && u.qualifier === undefined && !declared.has(u.functionName)) this.forget(u);
    for (const [name, def] of declared) {
      let current = this.byKey.get(key(name, undefined));
      // A pinned id that changed is a new address: the old URL goes.
      if (current !== undefined && def.urlId !== undefined && current.urlId !== def.urlId) {
        this.forget(current);
        current = undefined;
      }
      // Another config holding the pinned id gives it up; on a restart the holder is `current`
      // itself (a template's derived id), which stays.
      const taken = def.urlId === undefined ? undefined : this.byId.get(def.urlId);
      if (taken !== undefined && taken !== current) this.forget(taken);
      if (current === undefined) this.create(name, undefined, def, "config");
      else if (current.authType !== def.authType || current.invokeMode !== (def.invokeMode ?? "BUFFERED") || JSON.stringify(current.cors) !== JSON.stringify(def.cors)) {
        this.save({ ...current, authType: def.authType, invokeMode: def.invokeMode ?? "BUFFERED", cors: def.cors, lastModifiedTime: awsTimestamp(this.clock.now()), source: "config" });
      }
    }
  }

  private save(u: FunctionUrlConfig): void {
    this.store.db
      .prepare(
        `INSERT OR REPLACE INTO function_url_configs (function_name, qualifier, url_id, auth_type, invoke_mode, cors, creation_time, last_modified_time, source)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(u.functionName, u.qualifier ?? "", u.urlId, u.authType, u.invokeMode, u.cors === undefined ? null : JSON.stringify(u.cors), u.creationTime, u.lastModifiedTime, u.source);
    this.remember(u);
  }

  private remember(u: FunctionUrlConfig): void {
    const k = key(u.functionName, u.qualifier);
    const old = this.byKey.get(k);
    if (old !== undefined) this.byId.delete(old.urlId);
    this.byKey.set(k, u);
    this.byId.set(u.urlId, u);
  }

  private forget(u: FunctionUrlConfig): void {
    this.store.db.prepare("DELETE FROM function_url_configs WHERE function_name = ? AND qualifier = ?").run(u.functionName, u.qualifier ?? "");
    this.byKey.delete(key(u.functionName, u.qualifier));
    this.byId.delete(u.urlId);
  }

  private randomId(): string {
    for (;;) {
      const id = toUrlId(Buffer.from(this.ids.hex(32), "hex"));
      if (!this.byId.has(id)) return id;
    }
  }

  private derivedId(functionName: string, qualifier: string | undefined): string {
    const seed = `${this.registry.accountId}:${this.registry.region}:${functionName}:${qualifier ?? ""}`;
    return toUrlId(createHash("sha256").update(seed).digest());
  }
}

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/** 32 characters of [a-z0-9], one per byte. */
function toUrlId(bytes: Buffer): string {
  let out = "";
  for (let i = 0; i < 32; i++) out += ALPHABET[bytes[i]! % ALPHABET.length];
  return out;
}

function key(functionName: string, qualifier: string | undefined): string {
  return `${functionName}:${qualifier ?? ""}`;
}

function fromRow(r: Row): FunctionUrlConfig {
  return {
    functionName: r.function_name,
    qualifier: r.qualifier === "" ? undefined : r.qualifier,
    urlId: r.url_id,
    authType: r.auth_type,
    invokeMode: r.invoke_mode,
    cors: r.cors === null ? undefined : (JSON.parse(r.cors) as Cors),
    creationTime: r.creation_time,
    lastModifiedTime: r.last_modified_time,
    source: r.source,
  };
}
