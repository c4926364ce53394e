import { AwsError } from "@lambda-sim/core";
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
 * `<name>` placeholders are replaced by the values InputPathsMap selects and by the reserved
 * `aws.events.*` variables, following the EventBridge user guide's "Input transform examples"
 * (eb-transform-target-input) and the InputTransformer API reference:
 * - a JSON template ("If InputTemplate is a JSON object (surrounded by curly braces)"): a string
 *   standing as a JSON value gets quoted, `{"instance": <instance>}` → `{"instance": "i-0123456789"}`
 *   ("Simple JSON"; also inside arrays, "JSON with a mix of variables and static information";
 *   and the reserved rule-arn, rule-name and ingestion-time, "Including reserved variables in JSON");
 * - inside quotes a string goes in escaped, without quotes ("JSON with strings and variables",
 *   `"instance \"<instance>\" is in <state>"`);
 * - a plain-text template (`<instance> is in state <status>`) gets the raw string;
 * - numbers, booleans, objects and arrays go in as JSON wherever they stand, and so do
 *   `aws.events.event` / `aws.events.event.json` ("its contents are not escaped").
 * A path the event lacks gives nothing inside quotes and `null` outside (the guide says only that
 * the variable "won't appear in the output"; `null` keeps a JSON template valid: our choice).
 */
function fillTemplate(t: NonNullable<EventTarget["InputTransformer"]>, c: TransformContext): string {
  const values = new Map<string, unknown>();
  for (const [name, path] of Object.entries(t.InputPathsMap ?? {})) values.set(name, readPath(c.event, path));
  values.set("aws.events.rule-arn", c.ruleArn);
  values.set("aws.events.rule-name", c.ruleName);
  values.set("aws.events.event.ingestion-time", new Date(c.ingestedAt).toISOString());
  // The user guide: aws.events.event is the original payload "without the detail field",
  // aws.events.event.json the full payload "with the detail field".
  const { detail: _detail, ...withoutDetail } = c.event;
  values.set("aws.events.event", withoutDetail);
  values.set("aws.events.event.json", c.event);
  const tpl = t.InputTemplate;
  // AWS: "If InputTemplate is a JSON object (surrounded by curly braces)". It says nothing of
  // arrays: one that is a JSON array once filled (`[<a>, <b>]`) is treated alike, plain text that
  // merely starts with a bracket (`[ALERT] <id> is <state>`) is not (our choice).
  const json = /^\s*\{/.test(tpl) || isJsonArray(tpl);
  return tpl.replace(/<([A-Za-z0-9_.:-]+)>/g, (whole, name: string, at: number) => {
    if (!values.has(name)) return whole;
    const v = values.get(name);
    const quoted = insideQuotes(tpl, at);
    if (v === undefined) return quoted ? "" : "null";
    if (typeof v !== "string") return JSON.stringify(v);
    if (quoted) return JSON.stringify(v).slice(1, -1);
    return json ? JSON.stringify(v) : v;
  });
}

/** Whether `tpl` is a JSON array with its placeholders filled in. */
function isJsonArray(tpl: string): boolean {
  if (!/^\s*\[/.test(tpl)) return false;
  try {
    return Array.isArray(JSON.parse(tpl.replace(/<[A-Za-z0-9_.:-]+>/g, "null")));
  } catch {
    return false;
  }
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

/**
 * A Kinesis stream target's partition key: the value `KinesisParameters.PartitionKeyPath` selects
 * in the event, else the event id (EventBridge API reference, KinesisParameters: "extracted from
 * the event"). Our choice (AWS does not publish it): a path that selects no text or number fails
 * the delivery, as a client error. Pattern rules' targets and scheduled rules' share it.
 */
export function streamPartitionKey(target: Pick<EventTarget, "KinesisParameters">, event: { id: string }): string {
  const path = target.KinesisParameters?.PartitionKeyPath;
  if (path === undefined) return event.id;
  const key = readPath(event, path);
  if (typeof key !== "string" && typeof key !== "number") throw new AwsError("ValidationException", 400, `PartitionKeyPath ${path} selects no value of the event`);
  return String(key);
}
