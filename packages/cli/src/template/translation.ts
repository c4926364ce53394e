import type { CreatedResource } from "./created-resources.ts";
import { compilePattern, isInvalidEventPattern } from "@lambda-sim/core";
import { TemplateError, type TemplatePath } from "./intrinsics.ts";
import type { TemplateAction } from "./template-actions.ts";

/** Where a part of the native config came from: errors on it are reported at the template's key. */
export interface Origin {
  native: readonly (string | number)[];
  template: TemplatePath;
  /** Native key → template key where they differ by more than the first letter's case. */
  keys?: Record<string, string>;
}

/**
 * A rule's event pattern PutRule would refuse, at its template key, with the message applying the
 * rule gave (InvalidEventPatternException and its reason, events' validateEventPattern): found
 * before the simulator starts, with the file's other problems.
 */
export function checkEventPattern(t: Translation, pattern: unknown, at: TemplatePath): void {
  if (typeof pattern !== "string") return;
  try {
    compilePattern(pattern);
  } catch (e) {
    if (!isInvalidEventPattern(e)) throw e;
    t.valueProblems.push(new TemplateError(at, `InvalidEventPatternException: ${e.message}`));
  }
}

/**
 * What a template becomes: the same sections a lambda-sim.yaml declares (validated by the same
 * schema), plus what the native format has no key for (EventBridge rules, published versions,
 * aliases, provisioned concurrency), applied through the simulator's own APIs once it runs.
 */
export class Translation {
  readonly config = {
    functions: {} as Record<string, Record<string, unknown>>,
    layers: {} as Record<string, Record<string, unknown>>,
    queues: {} as Record<string, Record<string, unknown>>,
    streams: {} as Record<string, Record<string, unknown>>,
    eventSourceMappings: [] as Record<string, unknown>[],
    schedules: {} as Record<string, Record<string, unknown>>,
    topics: {} as Record<string, { subscriptions?: Record<string, unknown>[] } & Record<string, unknown>>,
    apis: {} as Record<string, Record<string, unknown>>,
  };
  readonly origins: Origin[] = [];
  /** `Logical (Type)` of every resource or event lambda-sim does not run. */
  readonly notSimulated: string[] = [];
  /** Logical ids of IAM roles, policies and permissions: accepted, ignored. */
  readonly iam: string[] = [];
  readonly actions: TemplateAction[] = [];
  readonly problems: TemplateError[] = [];
  /**
   * Values AWS would refuse once the simulator runs (an EventBridge rule's pattern): found here,
   * they are reported with the schema's problems, so one start lists them all (newuser13 N13-3).
   */
  readonly valueProblems: TemplateError[] = [];
  /** esbuild's errors, already naming their source file and line. */
  readonly buildErrors: string[] = [];
  /** Every logical id lambda-sim created something for, SAM's generated ones included (`GET /_sim/template`). */
  readonly created: Record<string, CreatedResource> = {};

  said(logicalId: string, what: string): void {
    this.entries.push([logicalId, what]);
  }

  private readonly entries: [string, string][] = [];

  /** The start-up lines, logical ids in one column. */
  get lines(): string[] {
    const width = Math.max(0, ...this.entries.map(([id]) => id.length));
    return this.entries.map(([id, what]) => `${id.padEnd(width)}  ${what}`);
  }

  /** Maps a native config path back to the template path it came from. */
  templatePathOf(native: readonly PropertyKey[]): TemplatePath | undefined {
    let best: Origin | undefined;
    for (const o of this.origins) {
      if (o.native.length <= native.length && o.native.every((k, i) => k === native[i]) && (best === undefined || o.native.length > best.native.length)) best = o;
    }
    if (best === undefined) return undefined;
    const rest = native.slice(best.native.length).flatMap((k, i): (string | number)[] => {
      if (typeof k === "number") return [k];
      const key = String(k);
      const mapped = i === 0 ? best.keys?.[key] : undefined;
      return mapped !== undefined ? mapped.split(".") : [key.charAt(0).toUpperCase() + key.slice(1)];
    });
    return [...best.template, ...rest];
  }
}

/** CloudFormation takes "128" for an integer property (a Number parameter is text once referenced). */
export function num(v: unknown): unknown {
  return typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : v;
}

export function bool(v: unknown): unknown {
  return v === "true" ? true : v === "false" ? false : v;
}

/** CloudFormation's `Tags: [{ Key, Value }]` as the native `{ key: value }`. */
export function tagMap(v: unknown): Record<string, string> | undefined {
  if (!Array.isArray(v)) return v === undefined ? undefined : (v as Record<string, string>);
  // Anything but { Key, Value } entries is passed on for the schema to refuse at Tags.
  if (!v.every((t) => t !== null && typeof t === "object" && "Key" in t)) return v as unknown as Record<string, string>;
  return Object.fromEntries(v.map((t: { Key?: unknown; Value?: unknown }) => [String(t.Key), String(t.Value)]));
}

/** Drops undefined values, so absent template properties leave the native defaults alone. */
export function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** An EventInvokeConfig (AWS::Lambda::EventInvokeConfig's, SAM's) as PutFunctionEventInvokeConfig's request. */
export function eventInvokeConfigInput(p: Record<string, unknown>): Record<string, unknown> {
  const dest = p.DestinationConfig as Record<string, unknown> | undefined;
  const target = (d: unknown) => (d === undefined ? undefined : { Destination: (d as Record<string, unknown>).Destination });
  return defined({
    MaximumRetryAttempts: num(p.MaximumRetryAttempts),
    MaximumEventAgeInSeconds: num(p.MaximumEventAgeInSeconds),
    DestinationConfig: dest && defined({ OnSuccess: target(dest.OnSuccess), OnFailure: target(dest.OnFailure) }),
  });
}
