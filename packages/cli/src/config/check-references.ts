import { builtInNames, dottedPath, parseReference, REFERENCE_KINDS, suggestion, type ReferenceService } from "@lambda-sim/core";
import { logicalIds, physicalName, type LogicalNames, type NamedKind } from "../template/logical-names.ts";

type Kind = ReferenceService;
type Path = (string | number)[];

/** The config section that declares each kind of resource a reference names (core's REFERENCE_KINDS). */
export const CONFIG_SECTION: Record<NamedKind, string> = { function: "functions", queue: "queues", stream: "streams", topic: "topics", bus: "buses" };

/**
 * What a lambda-sim.yaml read beside a template may also name: the template's resources, by their
 * names or their logical ids (`names`).
 */
export interface Architecture {
  functions: readonly { functionName: string }[];
  sources: Record<string, unknown>;
  template?: { names: LogicalNames };
}

/**
 * The names of one kind an architecture has: its config sections, what a template creates once the
 * simulator listens (its buses: template-actions.ts), and what always exists (EventBridge's
 * default bus: core's builtInNames).
 */
export function declaredNames(a: Architecture, kind: NamedKind): string[] {
  const own = kind === "function" ? a.functions.map((f) => f.functionName) : Object.keys(asMap(a.sources[CONFIG_SECTION[kind]]));
  const created = Object.values(a.template?.names ?? {}).flatMap((n) => (n.kind === kind ? [n.name] : []));
  return [...new Set([...own, ...created, ...builtInNames(kind)])];
}

/** One place in lambda-sim.yaml that names another resource, and the kinds it may name. */
export interface Reference {
  path: Path;
  value: unknown;
  kinds: Kind[];
  /** A bare name here (a mapping's functionName) is of this kind. */
  bare?: Kind;
}

/**
 * Every `sqs:`, `kinesis:`, `lambda:`, `sns:` and `events:` reference in the config (redrive targets, DLQs,
 * destinations, mapping sources and functions, schedule targets, topic subscriptions, the functions, sources and
 * delivery targets of faults) must name a resource the file
 * declares; otherwise one line each, `<file>:<line> <key.path>: ...`, with a did-you-mean. AWS
 * checks these when a resource is created (a redrive target that does not exist is refused by
 * CreateQueue), and a reference that reaches nothing fails silently later: a poison message
 * received again and again. A full ARN is not checked here: that is how a config names what
 * was created with the API, or lives outside lambda-sim; one in the simulator's own account and
 * region is checked against the state once it is open (arn-references.ts). `faults: false`: a scenario's faults, or
 * those of the lambda-sim.yaml beside a template, name the architecture's (the template's) resources,
 * logical ids included, and are checked once those are known (scenario-names.ts, start-config.ts).
 * `architecture`: the template this file is read beside; a name the file does not declare may be
 * one of its resources, by name or by logical id, and a logical id is rewritten in `config` (in
 * place) as the name it became (`sqs:OrdersQueue` → `sqs:shop-OrdersQueue-1B2C...`).
 */
export function checkReferences(config: Record<string, unknown>, file: string, lineOf: (path: Path) => number | undefined, opts: { faults?: boolean; architecture?: Architecture } = {}): string[] {
  const arch = opts.architecture;
  const own = (noun: NamedKind) => [...Object.keys(asMap(config[CONFIG_SECTION[noun]])), ...builtInNames(noun)];
  const declared = (noun: NamedKind) => (arch === undefined ? own(noun) : [...new Set([...own(noun), ...declaredNames(arch, noun)])]);
  const problems: { line: number | undefined; text: string }[] = [];
  for (const ref of references(config, opts.faults ?? true)) {
    if (typeof ref.value !== "string" || ref.value.startsWith("arn:")) continue;
    const r = parseReference(ref.value);
    const kind = r?.service ?? ref.bare;
    if (kind === undefined) continue; // neither a reference nor an ARN: the API's own checks say so
    const line = lineOf(ref.path);
    const at = `${line === undefined ? `${file}:` : `${file}:${line}`} ${dottedPath(ref.path)}`;
    if (!ref.kinds.includes(kind)) {
      problems.push({ line, text: `${at}: expected ${ref.kinds.map((k) => `${k}:NAME`).join(", ")} or an ARN, got ${ref.value}` });
      continue;
    }
    // `lambda:NAME:QUALIFIER` and a mapping's `NAME:QUALIFIER` name the function NAME.
    const name = r?.name ?? ref.value.split(":")[0]!;
    const noun = REFERENCE_KINDS[kind];
    const names = declared(noun);
    // A template's logical id names its resource even when the file declares one under that id too:
    // that declaration stands for the template's resource (load-template.ts byPhysicalNames; review19 R19-3).
    const resolved = arch === undefined ? name : physicalName(arch.template?.names, [noun], name);
    if (resolved === name && names.includes(name)) continue;
    if (resolved !== name && names.includes(resolved)) {
      const rest = r === undefined ? ref.value.slice(name.length) : r.qualifier === undefined ? "" : `:${r.qualifier}`;
      setAt(config, ref.path, `${r === undefined ? "" : `${r.service}:`}${resolved}${rest}`);
      continue;
    }
    const known = arch === undefined ? names : [...names, ...logicalIds(arch.template?.names, noun)];
    const where = arch === undefined ? `declared under ${CONFIG_SECTION[noun]}:` : `declared under ${CONFIG_SECTION[noun]}: or in the template:`;
    problems.push({ line, text: `${at}: ${ref.value} names no ${noun} ${where}${suggestion(name, known).replace(/'([^']*)'/, `'${r === undefined ? "" : `${kind}:`}$1'`)}` });
  }
  problems.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
  return problems.map((p) => p.text);
}

/** Every place in the config that names another resource (`faults`: with those of its faults). */
export function references(config: Record<string, unknown>, faults: boolean): Reference[] {
  const refs: Reference[] = [];
  const add = (path: Path, value: unknown, kinds: Kind[], bare?: Kind) => {
    if (value !== undefined) refs.push({ path, value, kinds, bare });
  };
  for (const [name, f] of Object.entries(asMap(config.functions))) {
    const fn = asMap(f);
    add(["functions", name, "deadLetterConfig", "targetArn"], asMap(fn.deadLetterConfig).targetArn, ["sqs", "sns"]);
    const destinations = asMap(asMap(fn.eventInvokeConfig).destinationConfig);
    for (const when of ["onSuccess", "onFailure"]) {
      add(["functions", name, "eventInvokeConfig", "destinationConfig", when, "destination"], asMap(destinations[when]).destination, ["sqs", "sns", "lambda", "events"]);
    }
  }
  for (const [name, q] of Object.entries(asMap(config.queues))) {
    add(["queues", name, "redrivePolicy", "deadLetterTargetArn"], asMap(asMap(q).redrivePolicy).deadLetterTargetArn, ["sqs"]);
  }
  for (const [name, t] of Object.entries(asMap(config.topics))) {
    const subs = asMap(t).subscriptions;
    (Array.isArray(subs) ? subs : []).forEach((s, i) => {
      const sub = asMap(s);
      if (sub.protocol === "lambda" || sub.protocol === "sqs") add(["topics", name, "subscriptions", i, "endpoint"], sub.endpoint, [sub.protocol]);
      add(["topics", name, "subscriptions", i, "redrivePolicy", "deadLetterTargetArn"], asMap(sub.redrivePolicy).deadLetterTargetArn, ["sqs"]);
    });
  }
  const mappings = Array.isArray(config.eventSourceMappings) ? config.eventSourceMappings : [];
  mappings.forEach((e, i) => {
    const mapping = asMap(e);
    add(["eventSourceMappings", i, "functionName"], mapping.functionName, ["lambda"], "lambda");
    add(["eventSourceMappings", i, "eventSourceArn"], mapping.eventSourceArn, ["sqs", "kinesis"]);
    add(["eventSourceMappings", i, "destinationConfig", "onFailure", "destination"], asMap(asMap(mapping.destinationConfig).onFailure).destination, ["sqs"]);
  });
  for (const [name, s] of Object.entries(asMap(config.schedules))) {
    const target = asMap(asMap(s).target);
    add(["schedules", name, "target", "arn"], target.arn, ["lambda", "sqs", "sns"]);
    add(["schedules", name, "target", "deadLetterConfig", "arn"], asMap(target.deadLetterConfig).arn, ["sqs"]);
  }
  for (const [name, a] of Object.entries(asMap(config.apis))) {
    for (const [key, r] of Object.entries(asMap(asMap(a).routes))) {
      if (typeof r === "string") add(["apis", name, "routes", key], r, ["lambda"], "lambda");
      else add(["apis", name, "routes", key, "functionName"], asMap(r).functionName, ["lambda"], "lambda");
    }
    for (const [id, z] of Object.entries(asMap(asMap(a).authorizers))) add(["apis", name, "authorizers", id, "functionName"], asMap(z).functionName, ["lambda"], "lambda");
  }
  // EventBridge rules' targets and their DLQs (review21 R21-5: a misspelt one, or a template's
  // logical id beside a template, failed every delivery at run time).
  for (const [bus, b] of Object.entries(asMap(config.buses))) {
    for (const [rule, r] of Object.entries(asMap(asMap(b).rules))) {
      const targets = asMap(r).targets;
      (Array.isArray(targets) ? targets : []).forEach((t, i) => {
        add(["buses", bus, "rules", rule, "targets", i, "arn"], asMap(t).arn, ["lambda", "sqs", "sns", "events"]);
        add(["buses", bus, "rules", rule, "targets", i, "deadLetterConfig", "arn"], asMap(asMap(t).deadLetterConfig).arn, ["sqs"]);
      });
    }
  }
  // Faults active from the start: a name that reaches nothing would count `matched: 0` forever.
  (faults && Array.isArray(config.faults) ? config.faults : []).forEach((f, i) => {
    const fault = asMap(f);
    add(["faults", i, "function"], fault.function, ["lambda"], "lambda");
    add(["faults", i, "source"], fault.source, ["sqs", "kinesis"]);
    add(["faults", i, "target"], fault.target, ["sqs", "sns", "lambda", "events"]);
  });
  return refs;
}

/** Writes `value` at `path` in a parsed document (whose every step exists: the reference was read there). */
function setAt(doc: Record<string, unknown>, path: Path, value: string): void {
  let at: any = doc;
  for (const key of path.slice(0, -1)) at = at[key];
  at[path.at(-1)!] = value;
}

/** `v` when it is a map (a YAML mapping), else an empty one. */
export function asMap(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
