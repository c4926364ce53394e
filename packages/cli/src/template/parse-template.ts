import { LineCounter, parseDocument, type Document } from "yaml";

/**
 * CloudFormation's YAML short forms (`!Ref X`, `!GetAtt A.Arn`, `!Join [",", [...]]`) as the
 * `yaml` package's custom tags, each turned into its long form (`{ "Fn::Join": [...] }`) so the
 * resolver sees one shape. Each tag is registered for a scalar, a sequence and a map, since
 * templates write e.g. `!Sub "..."` and `!Sub [ "...", { vars } ]`.
 */
const SHORT_FORMS: Record<string, string> = {
  Ref: "Ref",
  Condition: "Condition",
  GetAtt: "Fn::GetAtt",
  Sub: "Fn::Sub",
  Join: "Fn::Join",
  Select: "Fn::Select",
  Split: "Fn::Split",
  FindInMap: "Fn::FindInMap",
  If: "Fn::If",
  Equals: "Fn::Equals",
  Not: "Fn::Not",
  And: "Fn::And",
  Or: "Fn::Or",
  Base64: "Fn::Base64",
  GetAZs: "Fn::GetAZs",
  Cidr: "Fn::Cidr",
  ImportValue: "Fn::ImportValue",
  Transform: "Fn::Transform",
  ToJsonString: "Fn::ToJsonString",
  Length: "Fn::Length",
};

function wrap(long: string, value: unknown): unknown {
  // `!GetAtt Queue.Arn` is the scalar form of ["Queue", "Arn"]: split at the first dot only
  // (attributes such as `Endpoint.Address` keep theirs).
  if (long === "Fn::GetAtt" && typeof value === "string") {
    const dot = value.indexOf(".");
    return { [long]: dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
  }
  return { [long]: value };
}

const customTags = Object.entries(SHORT_FORMS).flatMap(([short, long]) => [
  { tag: `!${short}`, resolve: (s: string) => wrap(long, s) },
  { tag: `!${short}`, collection: "seq" as const, resolve: (seq: { toJSON(): unknown }) => wrap(long, seq.toJSON()) },
  { tag: `!${short}`, collection: "map" as const, resolve: (map: { toJSON(): unknown }) => wrap(long, map.toJSON()) },
]);

export interface ParsedTemplate {
  doc: Document;
  lines: LineCounter;
  value: unknown;
  /** The first syntax problem, `<file>:<line> invalid YAML: …` (the parser repeats every later token after it). */
  errors: string[];
}

/** Parses a YAML or JSON template (JSON is YAML), keeping the document for error lines. */
export function parseTemplate(text: string, file: string): ParsedTemplate {
  const lines = new LineCounter();
  // YAML 1.1 would read `on`/`yes` as booleans; CloudFormation's reader keeps them text.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, customTags, uniqueKeys: true });
  const errors = doc.errors.slice(0, 1).map((e) => `${file}:${lines.linePos(e.pos[0]).line} invalid YAML: ${e.message.split("\n")[0]}`);
  // A JSON template is read as JSON by CloudFormation: what YAML forgives (a trailing comma) is refused.
  if (errors.length === 0 && text.trimStart().startsWith("{")) errors.push(...jsonProblem(text, file));
  if (errors.length > 0) return { doc, lines, value: undefined, errors };
  try {
    return { doc, lines, value: doc.toJS({ maxAliasCount: 1000 }), errors };
  } catch (e) {
    return { doc, lines, value: undefined, errors: [`${file}: invalid YAML: ${(e as Error).message}`] };
  }
}

/** CloudFormation's "Template format error: JSON not well-formed", at the line JSON.parse stops. */
function jsonProblem(text: string, file: string): string[] {
  try {
    JSON.parse(text);
    return [];
  } catch (e) {
    const message = (e as Error).message;
    const at = /position (\d+)/.exec(message);
    const line = at === null ? "" : `:${text.slice(0, Number(at[1])).split("\n").length}`;
    return [`${file}${line} Template format error: JSON not well-formed. (${message})`];
  }
}
