import { intrinsicName, TemplateError } from "./intrinsics.ts";
import type { TemplateResource } from "./template-stack.ts";
import { samDestinationId } from "./sam-generated-queues.ts";

/**
 * The resources each resource depends on (Ref, Fn::GetAtt, names in Fn::Sub, DependsOn), and the
 * first cycle among them: CloudFormation refuses a template with a circular dependency, whether or
 * not lambda-sim would need the values in that order.
 */
export function dependencyCycle(resources: Record<string, TemplateResource>): TemplateError | undefined {
  const deps = new Map<string, Set<string>>();
  for (const [id, r] of Object.entries(resources)) {
    const found = new Set<string>();
    // A SAM function's Events become resources of their own (mappings, permissions, subscriptions,
    // the API's routes) that depend on the function, not the function on them (newuser15a: an API
    // whose DefinitionBody calls the function that names it in an Api event deploys on AWS).
    const sam = r.Type === "AWS::Serverless::Function" && r.Properties !== null && typeof r.Properties === "object";
    collect(sam ? { ...r.Properties, Events: undefined } : r.Properties, found);
    const dependsOn = typeof r.DependsOn === "string" ? [r.DependsOn] : Array.isArray(r.DependsOn) ? r.DependsOn : [];
    for (const d of dependsOn) found.add(String(d));
    deps.set(id, new Set([...found].map((d) => dependencyOf(resources, d)).filter((d) => d in resources)));
  }
  const done = new Set<string>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (done.has(id)) return undefined;
    const at = stack.indexOf(id);
    if (at >= 0) return [...stack.slice(at), id];
    stack.push(id);
    for (const d of deps.get(id) ?? []) {
      const cycle = visit(d);
      if (cycle !== undefined) return cycle;
    }
    stack.pop();
    done.add(id);
    return undefined;
  };
  for (const id of deps.keys()) {
    const cycle = visit(id);
    if (cycle !== undefined) return new TemplateError(["Resources", cycle[0]!], `circular dependency between resources: ${cycle.join(" → ")}`);
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

/** The references in a value, as written (`Queue`, `Queue.Arn`, `Fn.DestinationQueue.Arn`). */
function collect(value: unknown, into: Set<string>): void {
  const fn = intrinsicName(value);
  if (fn !== undefined) {
    const arg = (value as Record<string, unknown>)[fn];
    if (fn === "Ref" && typeof arg === "string") into.add(arg);
    else if (fn === "Fn::GetAtt" && Array.isArray(arg) && typeof arg[0] === "string") into.add(typeof arg[1] === "string" ? `${arg[0]}.${arg[1]}` : arg[0]);
    else if (fn === "Fn::Sub") {
      const text = Array.isArray(arg) ? arg[0] : arg;
      const vars = Array.isArray(arg) && arg[1] !== null && typeof arg[1] === "object" ? (arg[1] as Record<string, unknown>) : {};
      if (typeof text === "string") for (const m of text.matchAll(/\$\{([^!}][^}]*)\}/g)) if (!(m[1]!.trim() in vars)) into.add(m[1]!.trim());
      if (Array.isArray(arg)) collect(arg[1], into);
      return;
    }
    collect(arg, into);
    return;
  }
  if (Array.isArray(value)) for (const v of value) collect(v, into);
  else if (value !== null && typeof value === "object") for (const v of Object.values(value)) collect(v, into);
}
