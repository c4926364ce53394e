import { lambdaErrors } from "../errors/lambda-errors.ts";
import type { Store } from "../store/store.ts";
import type { FunctionRegistry } from "./function-registry.ts";

/** What Lambda tags: functions and event source mappings (code signing configs are not simulated). */
export type TaggableKind = "function" | "event-source-mapping";

/**
 * Lambda's tag limits (developer guide "Using tags on Lambda functions"; AWS general reference,
 * tagging best practices): 50 tags per resource, keys of 1 to 128 characters, values of at most
 * 256, and the `aws:` prefix reserved to AWS.
 */
export const LAMBDA_TAG_LIMITS = { perResource: 50, keyLength: 128, valueLength: 256 } as const;

/**
 * The tags of Lambda resources (TagResource / UntagResource / ListTags, GetFunction's `Tags`),
 * persisted so that an IaC tool reading them back after a restart finds them. A function's go with
 * it when it is deleted (DeleteFunction, or gone from lambda-sim.yaml); a mapping's are dropped by
 * DeleteEventSourceMapping (forget()).
 */
export class LambdaTags {
  private readonly store: Store;
  private readonly tags = new Map<string, Record<string, string>>();

  constructor(store: Store, registry: FunctionRegistry) {
    this.store = store;
    for (const row of store.db.prepare("SELECT kind, id, tags FROM lambda_tags").all() as { kind: TaggableKind; id: string; tags: string }[]) {
      // A function removed while the simulator was down (gone from lambda-sim.yaml) takes its tags.
      if (row.kind === "function" && !registry.has(row.id)) this.forget("function", row.id);
      else this.tags.set(key(row.kind, row.id), JSON.parse(row.tags) as Record<string, string>);
    }
    registry.onChange((c) => {
      if (c.kind === "deleted" && c.version === "$LATEST") this.forget("function", c.functionName);
    });
  }

  /**
   * A declared function's tags are lambda-sim.yaml's (or a template's) `tags:` at each start, none
   * when it declares none: as for its other settings, the file is what a start applies (tags put
   * through the API on it since are undone, and so are an API-made function's it replaced).
   */
  applyDefinitions(functions: readonly { functionName: string; tags?: Record<string, string> }[]): void {
    for (const f of functions) this.save("function", f.functionName, { ...f.tags });
  }

  /** The resource's tags (empty when it has none). */
  get(kind: TaggableKind, id: string): Record<string, string> {
    return { ...this.tags.get(key(kind, id)) };
  }

  /** TagResource: adds or replaces the given keys, within the limits counted on the result. */
  tag(kind: TaggableKind, id: string, tags: Record<string, string>): void {
    const merged = { ...this.get(kind, id), ...checkTags(tags) };
    if (Object.keys(merged).length > LAMBDA_TAG_LIMITS.perResource) throw tooMany();
    this.save(kind, id, merged);
  }

  /** UntagResource: keys the resource does not have are ignored, as AWS does. */
  untag(kind: TaggableKind, id: string, keys: readonly string[]): void {
    const left = this.get(kind, id);
    for (const k of keys) delete left[k];
    this.save(kind, id, left);
  }

  forget(kind: TaggableKind, id: string): void {
    this.tags.delete(key(kind, id));
    this.store.db.prepare("DELETE FROM lambda_tags WHERE kind = ? AND id = ?").run(kind, id);
  }

  private save(kind: TaggableKind, id: string, tags: Record<string, string>): void {
    if (Object.keys(tags).length === 0) return this.forget(kind, id);
    this.tags.set(key(kind, id), tags);
    this.store.db.prepare("INSERT OR REPLACE INTO lambda_tags (kind, id, tags) VALUES (?, ?, ?)").run(kind, id, JSON.stringify(tags));
  }
}

/** Limits count Unicode characters, not UTF-16 units. */
const chars = (s: string) => [...s].length;
const key = (kind: TaggableKind, id: string) => `${kind}:${id}`;

// AWS's wording as LocalStack's snapshot-tested provider has it.
const tooMany = () => lambdaErrors.invalidParameterValue("Number of tags exceeds resource tag limit.");

/**
 * Checks a Tags map (TagResource, CreateFunction, CreateEventSourceMapping) against the limits.
 * AWS's messages for a bad key or value are unrecorded: these name the key and the rule.
 */
export function checkTags(tags: Record<string, string> | undefined): Record<string, string> {
  if (tags === undefined) return {};
  const entries = Object.entries(tags);
  if (entries.length > LAMBDA_TAG_LIMITS.perResource) throw tooMany();
  for (const [k, v] of entries) {
    if (chars(k) === 0 || chars(k) > LAMBDA_TAG_LIMITS.keyLength) throw lambdaErrors.invalidParameterValue(`Tag key '${k}' must be 1 to ${LAMBDA_TAG_LIMITS.keyLength} characters long.`);
    if (k.toLowerCase().startsWith("aws:")) throw lambdaErrors.invalidParameterValue(`Tag key '${k}' uses the prefix 'aws:', which is reserved for AWS use.`);
    if (typeof v !== "string" || chars(v) > LAMBDA_TAG_LIMITS.valueLength) throw lambdaErrors.invalidParameterValue(`Tag value of key '${k}' must be a string of at most ${LAMBDA_TAG_LIMITS.valueLength} characters.`);
  }
  return { ...tags };
}
