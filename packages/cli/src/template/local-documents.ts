import { readFileSync, statSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { TemplateError, type TemplatePath } from "./intrinsics.ts";
import { parseTemplate } from "./parse-template.ts";

/**
 * A YAML or JSON document a template names by a local path: the `Location` of an `AWS::Include`
 * transform (`aws cloudformation package` uploads such a file to S3 and writes its s3:// URI; the
 * source template names the file) or an API's `DefinitionUri`. Relative to the template's folder,
 * as `sam build` and `aws cloudformation package` read them. An S3 location cannot be read here:
 * said so, with what to write instead.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/create-reusable-transform-function-snippets-and-add-to-your-template-with-aws-include-transform.html
 */
export function readLocalDocument(baseDir: string, location: unknown, at: TemplatePath, what: string): unknown {
  if (typeof location !== "string" || location === "") throw new TemplateError(at, `${what}: expected the path of a local YAML or JSON file`);
  if (/^s3:\/\//i.test(location) || /^https?:\/\//i.test(location)) {
    throw new TemplateError(at, `${what}: ${location} is in S3, which lambda-sim does not read: name the local file (relative to the template's folder) that \`aws cloudformation package\` uploads`);
  }
  const file = isAbsolute(location) ? location : resolve(baseDir, location);
  let text: string;
  try {
    if (!statSync(file).isFile()) throw new Error("not a file");
    text = readFileSync(file, "utf8");
  } catch {
    throw new TemplateError(at, `${what}: file not found: ${file} (the path is relative to the template's folder)`);
  }
  const parsed = parseTemplate(text, file);
  if (parsed.errors.length > 0) throw new TemplateError(at, `${what}: ${parsed.errors[0]}`);
  return parsed.value;
}

/**
 * `Fn::Transform` with `Name: AWS::Include`: the snippet in `Parameters.Location`, in place of the
 * transform (its intrinsics are then resolved as the template's own). A list of transforms is
 * CloudFormation's form for several ("executes transformations in the order that they are
 * specified"): their map snippets are merged, a later one's keys over an earlier's (AWS does not
 * say; chosen). Other transforms are macros, which lambda-sim does not run.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/transform-section-structure.html
 */
export function includedSnippet(baseDir: string, arg: unknown, at: TemplatePath, resolveValue: (v: unknown, p: TemplatePath) => unknown): unknown {
  if (!Array.isArray(arg)) return oneInclude(baseDir, arg, at, resolveValue);
  const merged: Record<string, unknown> = {};
  arg.forEach((spec, i) => {
    const snippet = oneInclude(baseDir, spec, [...at, i], resolveValue);
    if (snippet === null || typeof snippet !== "object" || Array.isArray(snippet)) throw new TemplateError([...at, i], "AWS::Include: a list of transforms merges maps: this file's snippet is not a map");
    Object.assign(merged, snippet);
  });
  return merged;
}

function oneInclude(baseDir: string, arg: unknown, at: TemplatePath, resolveValue: (v: unknown, p: TemplatePath) => unknown): unknown {
  const spec = (arg ?? {}) as { Name?: unknown; Parameters?: { Location?: unknown } };
  if (spec.Name !== "AWS::Include") {
    const name = typeof spec.Name === "string" ? `Fn::Transform ${spec.Name}` : "Fn::Transform without a Name";
    throw new TemplateError(at, `${name} is not supported: lambda-sim runs no CloudFormation macros (AWS::Include of a local file is read)`);
  }
  const location = resolveValue(spec.Parameters?.Location, [...at, "Parameters", "Location"]);
  return readLocalDocument(baseDir, location, [...at, "Parameters", "Location"], "AWS::Include");
}
