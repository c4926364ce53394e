import { dottedPath, REFERENCE_KINDS, suggestion, type KnownNames, type ReferenceService } from "@lambda-sim/core";
import type { NamedKind } from "../template/logical-names.ts";
import { asMap, CONFIG_SECTION, declaredNames, references, type Architecture } from "./check-references.ts";

/**
 * A reference written as a full ARN of the simulator's own account and region that names nothing
 * the file declares: it may name what the API created on an earlier run, which only the state
 * can tell (arnReferenceProblems, once the state is open).
 */
export interface ArnReference {
  kind: NamedKind;
  name: string;
  /** `<file>:<line> <key.path>` */
  at: string;
  /** The ARN, as written before and after the name (for a did-you-mean written as an ARN too). */
  before: string;
  after: string;
  /** The names of its kind the file (and the template it is read beside) declares. */
  declared: string[];
  /** Read beside a template, whose resources it may name. */
  besideTemplate: boolean;
}

/** Where each service's ARN carries the resource's name (`function:NAME[:QUALIFIER]`, `stream/NAME`...). */
const RESOURCE: Record<ReferenceService, RegExp> = {
  sqs: /^()([^:/]+)()$/,
  sns: /^()([^:/]+)()$/,
  lambda: /^(function:)([^:]+)((?::[^:]+)?)$/,
  kinesis: /^(stream\/)([^:/]+)()$/,
  events: /^(event-bus\/)([^:/]+)()$/,
};

/**
 * The config's references (not its faults': a fault's ARN may name what a test creates later,
 * fault-names.ts) written as an ARN in its own `region` and `accountId` whose name the file does
 * not declare. ARNs of another account or region are taken as written: lambda-sim has nothing
 * there to check them against.
 */
export function ownArnReferences(config: Record<string, unknown>, file: string, lineOf: (path: (string | number)[]) => number | undefined, architecture?: Architecture): ArnReference[] {
  const region = typeof config.region === "string" ? config.region : "us-east-1";
  const accountId = typeof config.accountId === "string" ? config.accountId : "000000000000";
  const out: ArnReference[] = [];
  for (const ref of references(config, false)) {
    if (typeof ref.value !== "string") continue;
    const arn = /^(arn:aws:([a-z]+):([^:]*):([^:]*):)(.*)$/s.exec(ref.value);
    if (arn === null || arn[3] !== region || arn[4] !== accountId) continue;
    const service = arn[2] as ReferenceService;
    // Another service than the key takes: the API's own checks say so at start.
    if (!ref.kinds.includes(service)) continue;
    const resource = RESOURCE[service].exec(arn[5]!);
    if (resource === null) continue;
    const kind = REFERENCE_KINDS[service];
    const declared = declaredNames({ functions: Object.keys(asMap(config.functions)).map((functionName) => ({ functionName })), sources: config }, kind);
    const withTemplate = architecture === undefined ? declared : [...new Set([...declared, ...declaredNames(architecture, kind)])];
    const name = resource[2]!;
    if (withTemplate.includes(name)) continue;
    const line = lineOf(ref.path);
    out.push({ kind, name, at: `${file}:${line ?? ""} ${dottedPath(ref.path)}`, before: `${arn[1]}${resource[1]}`, after: resource[3]!, declared: withTemplate, besideTemplate: architecture !== undefined });
  }
  return out;
}

/** One line per ARN reference that names nothing in the state either, with a did-you-mean written as an ARN. */
export function arnReferenceProblems(refs: readonly ArnReference[], names: KnownNames): string[] {
  return refs.flatMap((r) => {
    const inState = names(r.kind);
    // undefined: no loaded source keeps that kind, so nothing can tell.
    if (inState === undefined || inState.includes(r.name)) return [];
    const hint = suggestion(r.name, [...new Set([...r.declared, ...inState])]).replace(/'([^']*)'/, (_, n: string) => `'${r.before}${n}${r.after}'`);
    const where = r.besideTemplate ? `declared under ${CONFIG_SECTION[r.kind]}:, in the template, or created through the API` : `declared under ${CONFIG_SECTION[r.kind]}: or created through the API`;
    return [`${r.at}: ${r.before}${r.name}${r.after} names no ${r.kind} ${where}${hint}`];
  });
}
