import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Clock } from "../clock/clock.ts";
import { AwsError } from "../errors/aws-error.ts";
import { lambdaErrors } from "../errors/lambda-errors.ts";
import type { RandomStream } from "../random/rng.ts";
import type { Store } from "../store/store.ts";
import type { CodeCollector } from "./code-collector.ts";
import { CodeStore, fingerprintDirectory, MAX_UNZIPPED_BYTES } from "./code-store.ts";
import type { FunctionLayer } from "./function-model.ts";
import { awsTimestamp } from "./function-names.ts";
import { mergedOptDirectory } from "./opt-directory.ts";
import { StatePaths } from "./state-paths.ts";
import type { LayerDefinition } from "../config/layer-definition.ts";

export interface LayerVersionRecord {
  name: string;
  version: number;
  description: string;
  licenseInfo?: string;
  compatibleRuntimes?: string[];
  compatibleArchitectures?: string[];
  createdDate: string;
  codeDir: string;
  codeSha256: string;
  codeSize: number;
  unzippedSize: number;
  source: "api" | "config";
  policy?: LayerPolicy;
}

export interface LayerPolicy {
  revisionId: string;
  statements: { Sid: string; Effect: "Allow"; Principal: string; Action: string; Resource: string; Condition?: unknown }[];
}

export type LayerMetadata = Pick<LayerVersionRecord, "description" | "licenseInfo" | "compatibleRuntimes" | "compatibleArchitectures">;

/** A function may reference at most 5 layers (aws-facts §3 "Other"). */
export const MAX_LAYERS = 5;
const NOT_FOUND = "The resource you requested does not exist.";
const VERSION_ARN = /^arn:[a-zA-Z0-9-]+:lambda:([a-zA-Z0-9-]+):(\d{12}):layer:([a-zA-Z0-9-_]+):([0-9]+)$/;
const LAYER_ARN = /^arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\d{12}:layer:([a-zA-Z0-9-_]+)$/;

/**
 * Lambda layers (PublishLayerVersion and friends): versions numbered per name and never reused,
 * their content unpacked once under `<codeRoot>/.layers/` (durable like function code) and their
 * permissions, all in SQLite. A deleted version stays usable by the functions that reference it,
 * as on AWS: its files go only when nothing refers to them any more (code-collector.ts).
 */
export class LayerRegistry {
  readonly region: string;
  readonly accountId: string;
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly ids: RandomStream;
  private readonly code: CodeStore;
  private readonly optRoot: string;
  private readonly collector: CodeCollector | undefined;
  /** code_dir is stored relative to the state directory (state-paths.ts). */
  private readonly paths: StatePaths;

  constructor(opts: { store: Store; clock: Clock; ids: RandomStream; region: string; accountId: string; codeRoot: string; collector?: CodeCollector }) {
    this.store = opts.store;
    this.clock = opts.clock;
    this.ids = opts.ids;
    this.region = opts.region;
    this.accountId = opts.accountId;
    // Dot-prefixed: no function can be named so, so these never meet a function's directory.
    this.code = new CodeStore(join(opts.codeRoot, ".layers"), opts.collector, dirname(opts.codeRoot));
    this.paths = new StatePaths(dirname(opts.codeRoot));
    this.optRoot = join(opts.codeRoot, ".opt");
    this.collector = opts.collector;
    // Every version listed keeps its content (a deleted one's is kept by the functions using it).
    opts.collector?.use(() => (this.store.db.prepare("SELECT code_dir FROM layer_versions").pluck().all() as string[]).map((d) => this.paths.resolved(d)));
  }

  layerArn(name: string): string {
    return `arn:aws:lambda:${this.region}:${this.accountId}:layer:${name}`;
  }

  versionArn(name: string, version: number): string {
    return `${this.layerArn(name)}:${version}`;
  }

  /** PublishLayerVersion with a zip: a new version, whatever the content. */
  async publish(nameOrArn: string, zip: Buffer, meta: LayerMetadata): Promise<LayerVersionRecord> {
    const name = this.nameOf(nameOrArn);
    const code = await this.code.unpack(name, zip, "PublishLayerVersion");
    try {
      return this.insert(name, { ...code, unzippedSize: this.code.unzippedSize(code.codeDir) }, meta, "api");
    } finally {
      this.code.release(code.codeDir);
    }
  }

  /**
   * A layer from lambda-sim.yaml or a template: a directory (or an unpacked zip). A new version
   * only when its content (CodeSha256 and size, never where the folder is: a project moved or
   * renamed keeps its layer versions) or metadata changed since the last one, so restarts keep
   * the version numbers that functions refer to. The new version gets its own copy of the folder
   * ("Each time you publish a new version of a layer, Lambda creates a new immutable version",
   * Lambda developer guide, adding-layers): a later edit of the folder makes the next version at
   * the next start, and never reaches this one's /opt or Content.Location.
   */
  publishDirectory(name: string, dir: string, meta: LayerMetadata, source: "api" | "config" = "config"): LayerVersionRecord {
    const print = fingerprintDirectory(dir, (p) => this.code.leftOut(p));
    const last = this.versions(name)[0];
    const same = last !== undefined && last.codeSha256 === print.codeSha256 && last.codeSize === print.codeSize && JSON.stringify(metaOf(last)) === JSON.stringify(metaOf(meta));
    // A version whose content is gone (a row of an earlier lambda-sim naming a folder since moved) is not kept on.
    if (same && existsSync(last.codeDir)) return last;
    const copy = this.code.snapshot(name, dir, print.codeSha256, last?.codeDir);
    return this.insert(name, { codeDir: copy, codeSha256: print.codeSha256, codeSize: print.codeSize, unzippedSize: print.codeSize }, meta, source);
  }

  /** GetLayerVersion: ResourceNotFoundException when the version does not exist (or was deleted). */
  get(nameOrArn: string, version: number): LayerVersionRecord {
    if (version < 1) throw lambdaErrors.invalidParameterValue("Layer Version Cannot be less than 1");
    const row = this.store.db.prepare("SELECT * FROM layer_versions WHERE name = ? AND version = ?").get(this.nameOf(nameOrArn), version) as Row | undefined;
    if (row === undefined) throw lambdaErrors.resourceNotFound(NOT_FOUND);
    return this.fromRow(row);
  }

  getByArn(arn: string): LayerVersionRecord {
    const m = VERSION_ARN.exec(arn);
    if (m === null || m[1] !== this.region || m[2] !== this.accountId) throw lambdaErrors.resourceNotFound(NOT_FOUND);
    return this.get(m[3]!, Number(m[4]));
  }

  /** Every version of a layer, newest first (ListLayerVersions), optionally filtered. */
  versions(nameOrArn: string, runtime?: string, architecture?: string): LayerVersionRecord[] {
    const rows = this.store.db.prepare("SELECT * FROM layer_versions WHERE name = ? ORDER BY version DESC").all(this.nameOf(nameOrArn)) as Row[];
    return rows.map((r) => this.fromRow(r)).filter((r) => compatible(r, runtime, architecture));
  }

  /** ListLayers: each layer with its newest version that matches the filters. */
  list(runtime?: string, architecture?: string): { name: string; latest: LayerVersionRecord }[] {
    const names = this.store.db.prepare("SELECT DISTINCT name FROM layer_versions ORDER BY name").pluck().all() as string[];
    return names.flatMap((name) => {
      const latest = this.versions(name, runtime, architecture)[0];
      return latest === undefined ? [] : [{ name, latest }];
    });
  }

  /**
   * DeleteLayerVersion: succeeds for an unknown version too, as AWS's does. Its content goes
   * unless a function's version (or a live environment) still uses it; then with the last of them.
   */
  delete(nameOrArn: string, version: number): void {
    if (version < 1) throw lambdaErrors.invalidParameterValue("Layer Version Cannot be less than 1");
    const name = this.nameOf(nameOrArn);
    const deleted = this.store.db.prepare("DELETE FROM layer_versions WHERE name = ? AND version = ?").run(name, version).changes > 0;
    if (deleted) this.collector?.collect();
  }

  savePolicy(record: LayerVersionRecord, policy: LayerPolicy | undefined): void {
    this.store.db.prepare("UPDATE layer_versions SET policy = ? WHERE name = ? AND version = ?").run(policy === undefined ? null : JSON.stringify(policy), record.name, record.version);
  }

  newRevisionId(): string {
    return this.ids.uuid();
  }

  /**
   * `Layers` of CreateFunction / UpdateFunctionConfiguration, checked as AWS checks them (at most
   * 5, each version existing in this region, one version per layer, 250 MB unzipped together with
   * the function's code), in order, with the /opt they make once extracted one after the other.
   */
  resolve(arns: readonly string[], functionUnzippedBytes: number): { layers: FunctionLayer[]; optDir: string | undefined } {
    if (arns.length > MAX_LAYERS) throw lambdaErrors.invalidParameterValue(`Cannot reference more than ${MAX_LAYERS} layers.`);
    const seen = new Map<string, string>();
    const layers: FunctionLayer[] = [];
    for (const arn of arns) {
      const m = VERSION_ARN.exec(arn);
      if (m === null) {
        throw new AwsError("ValidationException", 400, `1 validation error detected: Value '[${arn}]' at 'layers' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 140, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: (arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+)|(arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+), Member must not be null]`, { messageKey: "message" });
      }
      if (m[1] !== this.region) throw lambdaErrors.invalidParameterValue(`Layers are not in the same region as the function. Layers are expected to be in region ${this.region}.`);
      const row = m[2] === this.accountId ? (this.store.db.prepare("SELECT * FROM layer_versions WHERE name = ? AND version = ?").get(m[3], Number(m[4])) as Row | undefined) : undefined;
      if (row === undefined) throw lambdaErrors.invalidParameterValue(`Layer version ${arn} does not exist.`);
      const layerArn = arn.slice(0, arn.lastIndexOf(":"));
      const other = seen.get(layerArn);
      if (other !== undefined) {
        throw lambdaErrors.invalidParameterValue(`Two different versions of the same layer are not allowed to be referenced in the same function. ${other} and ${arn} are versions of the same layer.`);
      }
      seen.set(layerArn, arn);
      layers.push({ arn, codeSize: row.code_size, unzippedSize: row.unzipped_size, dir: this.paths.resolved(row.code_dir) });
    }
    const total = functionUnzippedBytes + layers.reduce((n, l) => n + l.unzippedSize, 0);
    if (total > MAX_UNZIPPED_BYTES) {
      throw lambdaErrors.invalidParameterValue(`Function code combined with layers exceeds the maximum allowed size of ${MAX_UNZIPPED_BYTES} bytes. The actual size is ${total} bytes.`);
    }
    return { layers, optDir: layers.length === 0 ? undefined : mergedOptDirectory(this.optRoot, layers.map((l) => l.dir)) };
  }

  /** `layers:` of lambda-sim.yaml: each published unless its latest version has the same content. */
  applyDefinitions(defs: readonly LayerDefinition[]): void {
    for (const d of defs) this.publishDirectory(d.layerName, d.dir, { description: d.description ?? "", licenseInfo: d.licenseInfo, compatibleRuntimes: d.compatibleRuntimes, compatibleArchitectures: d.compatibleArchitectures });
  }

  /**
   * A function's layer reference from lambda-sim.yaml or a template: a version ARN as is; a layer
   * name or a layer ARN without version (what `!Ref` of a template's layer gives) is its latest version.
   */
  versionArnOf(ref: string): string {
    if (VERSION_ARN.test(ref)) return ref;
    const name = this.nameOf(ref);
    const latest = this.versions(name)[0];
    if (latest === undefined) throw lambdaErrors.invalidParameterValue(`Layer ${ref} does not exist: declare it under layers: or use a layer version ARN.`);
    return this.versionArn(name, latest.version);
  }

  private fromRow(r: Row): LayerVersionRecord {
    return { ...fromRow(r), codeDir: this.paths.resolved(r.code_dir) };
  }

  /** A layer name, or its ARN (`arn:aws:lambda:<region>:<account>:layer:<name>`), as LayerName takes either. */
  private nameOf(nameOrArn: string): string {
    return LAYER_ARN.exec(nameOrArn)?.[1] ?? nameOrArn;
  }

  private insert(name: string, code: Pick<LayerVersionRecord, "codeDir" | "codeSha256" | "codeSize" | "unzippedSize">, meta: LayerMetadata, source: "api" | "config"): LayerVersionRecord {
    const record: LayerVersionRecord = { name, version: 0, description: meta.description ?? "", licenseInfo: meta.licenseInfo, compatibleRuntimes: meta.compatibleRuntimes, compatibleArchitectures: meta.compatibleArchitectures, createdDate: awsTimestamp(this.clock.now()), ...code, source };
    this.store.transaction(() => {
      const db = this.store.db;
      db.prepare("INSERT INTO layers (name) VALUES (?) ON CONFLICT (name) DO NOTHING").run(name);
      record.version = (db.prepare("SELECT next_version FROM layers WHERE name = ?").pluck().get(name) as number);
      db.prepare("UPDATE layers SET next_version = next_version + 1 WHERE name = ?").run(name);
      db.prepare(
        "INSERT INTO layer_versions (name, version, description, license_info, compatible_runtimes, compatible_architectures, created_date, code_dir, code_sha256, code_size, unzipped_size, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      ).run(name, record.version, record.description, record.licenseInfo ?? null, json(record.compatibleRuntimes), json(record.compatibleArchitectures), record.createdDate, this.paths.stored(record.codeDir), record.codeSha256, record.codeSize, record.unzippedSize, source);
    });
    return record;
  }
}

interface Row {
  name: string;
  version: number;
  description: string;
  license_info: string | null;
  compatible_runtimes: string | null;
  compatible_architectures: string | null;
  created_date: string;
  code_dir: string;
  code_sha256: string;
  code_size: number;
  unzipped_size: number;
  source: "api" | "config";
  policy: string | null;
}

function fromRow(r: Row): LayerVersionRecord {
  return {
    name: r.name,
    version: r.version,
    description: r.description,
    licenseInfo: r.license_info ?? undefined,
    compatibleRuntimes: r.compatible_runtimes === null ? undefined : JSON.parse(r.compatible_runtimes),
    compatibleArchitectures: r.compatible_architectures === null ? undefined : JSON.parse(r.compatible_architectures),
    createdDate: r.created_date,
    codeDir: r.code_dir,
    codeSha256: r.code_sha256,
    codeSize: r.code_size,
    unzippedSize: r.unzipped_size,
    source: r.source,
    policy: r.policy === null ? undefined : JSON.parse(r.policy),
  };
}

function json(v: unknown[] | undefined): string | null {
  return v === undefined ? null : JSON.stringify(v);
}

function metaOf(r: LayerMetadata): LayerMetadata {
  return { description: r.description ?? "", licenseInfo: r.licenseInfo, compatibleRuntimes: r.compatibleRuntimes, compatibleArchitectures: r.compatibleArchitectures };
}

/** The filters of ListLayers / ListLayerVersions: a version without the list matches nothing filtered by it. */
function compatible(r: LayerVersionRecord, runtime: string | undefined, architecture: string | undefined): boolean {
  if (runtime !== undefined && !(r.compatibleRuntimes ?? []).includes(runtime)) return false;
  if (architecture !== undefined && !(r.compatibleArchitectures ?? []).includes(architecture)) return false;
  return true;
}
