import { AwsError } from "../errors/aws-error.ts";
import type { FaultSpec } from "./fault-spec.ts";

/** The kinds of resource a fault's scope names. */
export type FaultNameKind = "function" | "queue" | "stream" | "topic" | "bus";

/** A template's logical ids and the names they became (`NotifyFunction` → `app-NotifyFunction-SSELE2ILW5TY`). */
export type LogicalNameMap = Record<string, { kind: string; name: string }>;

/** The names of one kind the simulator has now; undefined when it cannot tell (that source is not loaded). */
export type KnownNames = (kind: FaultNameKind) => readonly string[] | undefined;

/**
 * `service:NAME` references as destinations and lambda-sim.yaml spell them (DESIGN.md "Config"), by
 * the kind they name: the one list for config references, fault names and scenario names.
 */
export const REFERENCE_KINDS = { lambda: "function", sqs: "queue", kinesis: "stream", sns: "topic", events: "bus" } as const satisfies Record<string, FaultNameKind>;
export type ReferenceService = keyof typeof REFERENCE_KINDS;

/** A `service:NAME[:QUALIFIER]` reference, split; `lambda:NAME:QUALIFIER` names the function NAME. */
export interface ServiceReference {
  service: ReferenceService;
  kind: FaultNameKind;
  name: string;
  qualifier?: string;
}

/** `ref` split when its service is one of REFERENCE_KINDS; an ARN, a bare name or another service is undefined. */
export function parseReference(ref: string): ServiceReference | undefined {
  const m = /^([a-z]+):([^:]*)(?::(.*))?$/s.exec(ref);
  if (m === null || !Object.hasOwn(REFERENCE_KINDS, m[1]!)) return undefined;
  const service = m[1] as ReferenceService;
  return { service, kind: REFERENCE_KINDS[service], name: m[2]!, qualifier: m[3] };
}

/** Names of a kind that exist without being declared or created: EventBridge's default bus comes with the account. */
export function builtInNames(kind: FaultNameKind): readonly string[] {
  return kind === "bus" ? ["default"] : [];
}
const TITLE: Record<FaultNameKind, string> = { function: "Function", queue: "Queue", stream: "Stream", topic: "Topic", bus: "Event bus" };

/** What resolving a fault's names gave: the spec with the names the simulator knows, and a warning if any. */
export interface ResolvedFault {
  spec: FaultSpec;
  warning?: string;
}

/**
 * The names a fault's scope writes (`function`, `source`, a delivery-failure's `target`), checked
 * and resolved when the fault is added, as a scenario does when it loads (newuser2 N4): a fault
 * naming nothing the simulator has would count `matched: 0` forever, and the user would doubt the
 * retry machinery rather than the typo. A name is a resource's own name or, when the simulator was
 * started from a template, its logical id; anything else is a 404 ResourceNotFoundException
 * naming it and listing what the simulator has.
 *
 * A full ARN is taken as written, with a `warning` when it names no function yet: that is how a
 * fault is set up for a function a test creates later through the API (our choice: refusing a
 * bare name catches typos, and the ARN says the user means that exact resource).
 */
export class FaultNames {
  private readonly known: KnownNames;
  private readonly mappingIds: () => readonly string[] | undefined;
  private readonly qualifiers: (functionName: string) => readonly string[] | undefined;
  private logical: LogicalNameMap = {};

  /**
   * `mappingIds`: the UUIDs of the event source mappings there are now; `qualifiers`: a function's
   * `$LATEST`, versions and aliases now (undefined: not checked).
   */
  constructor(known: KnownNames, mappingIds: () => readonly string[] | undefined = () => undefined, qualifiers: (functionName: string) => readonly string[] | undefined = () => undefined) {
    this.known = known;
    this.mappingIds = mappingIds;
    this.qualifiers = qualifiers;
  }

  /** The template's logical ids, once the simulator knows them (`lambda-sim start --template`). */
  useLogicalNames(names: LogicalNameMap): void {
    this.logical = names;
  }

  /**
   * `checkQualifier`: a `qualifier` the function has no version or alias of is refused too. Only
   * once the simulator runs: the faults of its config are added before a template's versions and
   * aliases are published.
   */
  resolve(spec: FaultSpec, where: string, checkQualifier = false): ResolvedFault {
    const out: FaultSpec = { ...spec };
    const warnings: string[] = [];
    if (out.function !== undefined) {
      if (out.function.startsWith("arn:")) {
        const name = out.function.split(":")[6] ?? "";
        const functions = this.known("function");
        if (functions !== undefined && !functions.includes(name)) warnings.push(`no function named '${name}' yet: the fault applies once it is created`);
        else if (checkQualifier) this.qualifier(name, out.qualifier, `${where}.qualifier`);
      } else {
        out.function = this.name("function", out.function, `${where}.function`);
        if (checkQualifier) this.qualifier(out.function, out.qualifier, `${where}.qualifier`);
      }
    }
    // Allowed (a scope key is optional), but rarely meant in a live demo: it breaks every API and consumer at once (newuser14 F8).
    if (out.function === undefined && out.source === undefined && out.mapping === undefined && out.payloadContains === undefined && out.kind !== "delivery-failure") {
      warnings.push("no function, source, mapping or payloadContains: the fault applies to every invocation of every function");
    }
    if (out.source !== undefined) out.source = this.reference(out.source, `${where}.source`);
    if (out.mapping !== undefined) this.mapping(out.mapping, `${where}.mapping`);
    if (out.kind === "delivery-failure") out.target = this.reference(out.target, `${where}.target`);
    return warnings.length === 0 ? { spec: out } : { spec: out, warning: warnings.join("; ") };
  }

  /** `written` as the simulator knows it: its own name first, then a logical id of that kind. */
  private name(kind: FaultNameKind, written: string, where: string): string {
    const names = this.known(kind);
    if (names === undefined || names.includes(written)) return written;
    const logical = this.logical[written];
    if (logical !== undefined && logical.kind === kind) return logical.name;
    const ids = Object.entries(this.logical).flatMap(([id, n]) => (n.kind === kind ? [id] : []));
    const has = [...names, ...ids].join(", ") || "none";
    throw new AwsError("ResourceNotFoundException", 404, `${where}: ${TITLE[kind]} not found: ${written} (the simulator has: ${has})`);
  }

  /** A version or alias of `fn` (or `$LATEST`), as Invoke's Qualifier names one: else the 404 a misspelt function gets. */
  private qualifier(fn: string, qualifier: string | undefined, where: string): void {
    if (qualifier === undefined) return;
    const has = this.qualifiers(fn);
    if (has === undefined || has.includes(qualifier)) return;
    throw new AwsError("ResourceNotFoundException", 404, `${where}: Function not found: ${fn}:${qualifier} (${fn} has: ${has.join(", ")})`);
  }

  /** A mapping is named by its UUID, as GetEventSourceMapping takes it (CreateEventSourceMapping answers it). */
  private mapping(uuid: string, where: string): void {
    const ids = this.mappingIds();
    if (ids === undefined || ids.includes(uuid)) return;
    throw new AwsError("ResourceNotFoundException", 404, `${where}: Event source mapping not found: ${uuid} (the simulator has: ${ids.join(", ") || "none"})`);
  }

  /** A `service:NAME[:QUALIFIER]` reference with NAME resolved; an ARN, or a service we do not check, as written. */
  private reference(ref: string, where: string): string {
    const r = parseReference(ref);
    if (r === undefined || r.name === "") return ref;
    return `${r.service}:${this.name(r.kind, r.name, where)}${r.qualifier === undefined ? "" : `:${r.qualifier}`}`;
  }
}

/**
 * The names the simulator has now: its functions, and what the sources' state views list (queues,
 * streams, topics, buses). A kind whose source is not loaded is not checked.
 */
export function simulatorNames(functions: () => readonly string[], view: (name: string) => unknown): KnownNames {
  const named = (v: unknown) => (Array.isArray(v) ? v.map((x: { name: string }) => x.name) : undefined);
  return (kind) => {
    switch (kind) {
      case "function":
        return functions();
      case "queue":
        return named(view("queues"));
      case "stream":
        return named(view("streams"));
      case "topic":
        return named(view("topics"));
      case "bus": {
        const buses = (view("buses") as { buses?: string[] } | undefined)?.buses;
        return buses === undefined ? undefined : [...new Set([...buses, ...builtInNames("bus")])];
      }
    }
  };
}

/** The UUIDs the mappings view lists; undefined before the view is there (the simulator still starting). */
export function simulatorMappingIds(view: (name: string) => unknown): readonly string[] | undefined {
  const v = view("mappings");
  return Array.isArray(v) ? v.map((m: { uuid: string }) => m.uuid) : undefined;
}
