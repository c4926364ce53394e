import type { Store } from "../store/store.ts";
import type { LastProcessingResult } from "./stream-batch-runner.ts";
import type { StreamMappingParams } from "./stream-mapping-params.ts";

/** One event source mapping as stored (the `config` column holds it as JSON). */
export interface MappingRecord {
  uuid: string;
  functionName: string;
  /** The version or alias FunctionName named (`orders:live`, a version ARN): it is what the mapping invokes. */
  qualifier?: string;
  sourceArn: string;
  batchSize: number;
  batchWindowSeconds: number;
  enabled: boolean;
  functionResponseTypes: string[];
  maximumConcurrency?: number;
  /** FilterCriteria as AWS returns it; absent when the mapping does not filter. */
  filterCriteria?: { Filters: { Pattern: string }[] };
  /** MetricsConfig as AWS returns it; absent when the mapping publishes no event source mapping metrics. */
  metricsConfig?: { Metrics: string[] };
  lastModified: number;
  /** Stream sources only: their parameters (stream-mapping-params.ts). */
  stream?: StreamMappingParams;
  /** Stream sources only: what the last invocation came to (saved when it changes). */
  lastProcessingResult?: LastProcessingResult;
}

/** The `event_source_mappings` table: every mapping, read once at start and written through. */
export class MappingStore {
  private readonly store: Store;

  constructor(store: Store) {
    this.store = store;
  }

  loadAll(): MappingRecord[] {
    return (this.store.db.prepare("SELECT config FROM event_source_mappings").all() as { config: string }[]).map((row) => JSON.parse(row.config) as MappingRecord);
  }

  save(m: MappingRecord): void {
    this.store.db.prepare("INSERT OR REPLACE INTO event_source_mappings (uuid, function_name, source_arn, config, last_modified) VALUES (?, ?, ?, ?, ?)").run(m.uuid, m.functionName, m.sourceArn, JSON.stringify(m), m.lastModified);
  }

  delete(uuid: string): void {
    this.store.db.prepare("DELETE FROM event_source_mappings WHERE uuid = ?").run(uuid);
  }
}
