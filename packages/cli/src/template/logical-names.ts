import { TemplateError } from "./intrinsics.ts";
import type { TemplateStack } from "./template-stack.ts";

/** The kinds of resource a user names outside the template: in a scenario, or `lambda-sim tail --function`. */
export type NamedKind = "function" | "queue" | "stream" | "topic" | "bus";

/** A template's logical ids and the physical names they became (`WorkerFunction` → `app-WorkerFunction-511QZUZXGMCE`). */
export type LogicalNames = Record<string, { kind: NamedKind; name: string }>;

const KINDS: Record<string, NamedKind> = {
  "AWS::Serverless::Function": "function",
  "AWS::Lambda::Function": "function",
  "AWS::SQS::Queue": "queue",
  "AWS::Kinesis::Stream": "stream",
  "AWS::SNS::Topic": "topic",
  "AWS::Events::EventBus": "bus",
};

/**
 * The physical name of each function, queue, stream, topic and bus the stack creates (SAM's
 * generated queues included). A name CloudFormation generates holds the stack name, the folder's
 * name by default, so a user refers to the logical id instead: it survives a clone under another name.
 */
export function logicalNames(stack: TemplateStack): LogicalNames {
  const out: LogicalNames = {};
  for (const [id, r] of Object.entries(stack.resources)) {
    const kind = KINDS[r.Type];
    if (kind === undefined) continue;
    try {
      if (stack.included(id)) out[id] = { kind, name: stack.identity(id, ["Resources", id]).name };
    } catch (e) {
      // Already reported by the translation, which fails the load.
      if (!(e instanceof TemplateError)) throw e;
    }
  }
  return out;
}

/**
 * The name the simulator knows for `name`, written by a user as a resource's own name or as its
 * template logical id. An exact name wins over a logical id that happens to be spelt the same.
 */
export function physicalName(names: LogicalNames | undefined, kinds: readonly NamedKind[], name: string): string {
  if (names === undefined) return name;
  const own = Object.values(names).some((n) => n.name === name && kinds.includes(n.kind));
  const logical = names[name];
  return !own && logical !== undefined && kinds.includes(logical.kind) ? logical.name : name;
}

/**
 * The reverse of physicalName: the logical id of the template resource (of one of `kinds`) named
 * `name`, else `name`. A scenario's report names resources so (newuser11 N2-3): the generated name
 * holds the stack's, the folder's, so a colleague's clone would print another.
 */
export function logicalIdOf(names: LogicalNames | undefined, kinds: readonly NamedKind[], name: string): string {
  if (names === undefined) return name;
  for (const [id, n] of Object.entries(names)) if (n.name === name && kinds.includes(n.kind)) return id;
  return name;
}

/** The logical ids of one kind of resource (a "no function named" message lists them). */
export function logicalIds(names: LogicalNames | undefined, kind: NamedKind): string[] {
  return Object.entries(names ?? {}).flatMap(([id, n]) => (n.kind === kind ? [id] : []));
}

/** Every resource by kind: name → logical id (the dashboard's `logicalIds` and `resourceIds` views). */
export function resourceIds(names: LogicalNames): Partial<Record<NamedKind, Record<string, string>>> {
  const out: Partial<Record<NamedKind, Record<string, string>>> = {};
  for (const [id, n] of Object.entries(names)) (out[n.kind] ??= {})[n.name] = id;
  return out;
}
