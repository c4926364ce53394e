import { intrinsicName, TemplateError, type TemplatePath } from "./intrinsics.ts";
import type { TemplateResource } from "./template-stack.ts";
import { samDestinationId } from "./sam-generated-queues.ts";

/**
 * The resources each resource depends on (Ref, Fn::GetAtt, names in Fn::Sub, DependsOn), and the
 * first cycle among them: CloudFormation refuses a template with a circular dependency, whether or
 * not lambda-sim would need the values in that order.
 */
export function dependencyCycle(resources: Record<string, TemplateResource>): TemplateError | undefined {
  // Each resource's dependencies, with where its first reference to each one is written.
  const deps = new Map<string, Map<string, TemplatePath>>();
  for (const [id, r] of Object.entries(resources)) {
    const found: Reference[] = [];
    // A SAM function's Events become resources of their own (mappings, permissions, subscriptions,
    // the API's routes) that depend on the function, not the function on them (newuser15a: an API
    // whose DefinitionBody calls the function that names it in an Api event deploys on AWS).
    const sam = r.Type === "AWS::Serverless::Function" && r.Properties !== null && typeof r.Properties === "object";
    collect(sam ? { ...r.Properties, Events: undefined } : r.Properties, ["Resources", id, "Properties"], found);
    if (typeof r.DependsOn === "string") found.push({ name: r.DependsOn, at: ["Resources", id, "DependsOn"] });
    else if (Array.isArray(r.DependsOn)) r.DependsOn.forEach((d, i) => found.push({ name: String(d), at: ["Resources", id, "DependsOn", i] }));
    const on = new Map<string, TemplatePath>();
    for (const { name, at } of found) {
      const d = dependencyOf(resources, name);
      if (d in resources && !on.has(d)) on.set(d, at);
    }
    deps.set(id, on);
  }
  const done = new Set<string>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (done.has(id)) return undefined;
    const at = stack.indexOf(id);
    if (at >= 0) return [...stack.slice(at), id];
    stack.push(id);
    for (const d of deps.get(id)?.keys() ?? []) {
      const cycle = visit(d);
      if (cycle !== undefined) return cycle;
    }
    stack.pop();
    done.add(id);
    return undefined;
  };
  for (const id of deps.keys()) {
    const cycle = visit(id);
    // Said where the first resource's reference to the next is written, as every template error is.
    if (cycle !== undefined) return new TemplateError(deps.get(cycle[0]!)!.get(cycle[1]!)!, `circular dependency between resources: ${cycle.join(" → ")}`);
  }
  return undefined;
}

/**
 * The resource a reference (`Queue`, `Queue.Arn`, `Fn.Alias`) depends on: its first part, except
 * SAM's `Fn.DestinationQueue` / `Fn.DestinationTopic`, which stand for the queue or topic SAM
 * created, not for the function (a function may name its own destination queue).
 */
function dependencyOf(resources: Record<string, TemplateResource>, reference: string): string {
  const [id, property] = reference.split(".");
  if ((property === "DestinationQueue" || property === "DestinationTopic") && resources[id!]?.Type === "AWS::Serverless::Function") return samDestinationId(resources, id!, property) ?? id!;
  return id!;
}

interface Reference {
  /** As written: `Queue`, `Queue.Arn`, `Fn.DestinationQueue.Arn`. */
  name: string;
  /** Where: the intrinsic's key (`Resources.A.Properties.Tags[0].Value.Fn::GetAtt`), or DependsOn. */
  at: TemplatePath;
}

/** The references in a value, in the order they are written. */
function collect(value: unknown, at: TemplatePath, into: Reference[]): void {
  const fn = intrinsicName(value);
  if (fn !== undefined) {
    const arg = (value as Record<string, unknown>)[fn];
    const here = [...at, fn];
    if (fn === "Ref" && typeof arg === "string") into.push({ name: arg, at: here });
    else if (fn === "Fn::GetAtt" && Array.isArray(arg) && typeof arg[0] === "string") into.push({ name: typeof arg[1] === "string" ? `${arg[0]}.${arg[1]}` : arg[0], at: here });
    else if (fn === "Fn::Sub") {
      const text = Array.isArray(arg) ? arg[0] : arg;
      const vars = Array.isArray(arg) && arg[1] !== null && typeof arg[1] === "object" ? (arg[1] as Record<string, unknown>) : {};
      if (typeof text === "string") for (const m of text.matchAll(/\$\{([^!}][^}]*)\}/g)) if (!(m[1]!.trim() in vars)) into.push({ name: m[1]!.trim(), at: here });
      if (Array.isArray(arg)) collect(arg[1], [...here, 1], into);
      return;
    }
    collect(arg, here, into);
    return;
  }
  if (Array.isArray(value)) value.forEach((v, i) => collect(v, [...at, i], into));
  else if (value !== null && typeof value === "object") for (const [k, v] of Object.entries(value)) collect(v, [...at, k], into);
}
