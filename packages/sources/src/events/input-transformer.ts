import type { EventTarget } from "./event-store.ts";

/** What a target receives for an event (EventBridge "Transforming target input"). */
export interface TransformContext {
  event: Record<string, unknown>;
  ruleName: string;
  ruleArn: string;
  /** Epoch ms the bus accepted the event. */
  ingestedAt: number;
}

/**
 * The body sent to a target: `Input` as given (constant JSON), the part of the event `InputPath`
 * selects, `InputTransformer`'s template filled from its InputPathsMap, or the whole event.
 */
export function targetInput(target: EventTarget, c: TransformContext): string {
  if (target.Input !== undefined) return target.Input;
  if (target.InputPath !== undefined) return JSON.stringify(readPath(c.event, target.InputPath) ?? null);
  if (target.InputTransformer !== undefined) return fillTemplate(target.InputTransformer, c);
  return JSON.stringify(c.event);
}

/**
 * `<name>` placeholders are replaced by the values InputPathsMap selects, and by the reserved
 * `aws.events.*` variables. Inside quotes a string is inserted JSON-escaped; outside quotes a
 * string goes in bare (templates such as `"<instance> is <state>"` or plain text), anything else
 * as JSON. A path the event lacks gives nothing inside quotes and `null` outside (our choice where
 * AWS's documentation is silent).
 */
function fillTemplate(t: NonNullable<EventTarget["InputTransformer"]>, c: TransformContext): string {
  const values = new Map<string, unknown>();
  for (const [name, path] of Object.entries(t.InputPathsMap ?? {})) values.set(name, readPath(c.event, path));
  values.set("aws.events.rule-arn", c.ruleArn);
  values.set("aws.events.rule-name", c.ruleName);
  values.set("aws.events.event.ingestion-time", new Date(c.ingestedAt).toISOString());
  values.set("aws.events.event", c.event);
  values.set("aws.events.event.json", JSON.stringify(c.event));
  const tpl = t.InputTemplate;
  return tpl.replace(/<([A-Za-z0-9_.:-]+)>/g, (whole, name: string, at: number) => {
    if (!values.has(name)) return whole;
    const v = values.get(name);
    const quoted = tpl[at - 1] === '"' || insideQuotes(tpl, at);
    if (v === undefined) return quoted ? "" : "null";
    if (typeof v === "string") return quoted ? JSON.stringify(v).slice(1, -1) : v;
    return JSON.stringify(v);
  });
}

/** Whether position `at` of a JSON-ish template lies inside a string literal. */
function insideQuotes(tpl: string, at: number): boolean {
  let inside = false;
  for (let i = 0; i < at; i++) {
    if (tpl[i] === "\\") i++;
    else if (tpl[i] === '"') inside = !inside;
  }
  return inside;
}

/** A JSONPath of names and indexes: `$`, `$.detail.state`, `$.resources[0]`, `$['detail-type']`. */
export function readPath(event: unknown, path: string): unknown {
  if (!path.startsWith("$")) return undefined;
  let v: unknown = event;
  const steps = /\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/g;
  let at = 1;
  for (let m = steps.exec(path); m !== null; m = steps.exec(path)) {
    if (m.index !== at) return undefined;
    at = m.index + m[0].length;
    const key = m[1] ?? m[3] ?? m[4];
    if (v === null || typeof v !== "object") return undefined;
    v = key !== undefined ? (v as Record<string, unknown>)[key] : (v as unknown[])[Number(m[2])];
  }
  return at === path.length ? v : undefined;
}
