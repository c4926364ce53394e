import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { CodeStore } from "@lambda-sim/core";
import { TemplateError, type TemplatePath } from "./intrinsics.ts";

/** Where a template's functions find their code: folders in place, zips and inline code unpacked. */
export interface CodePlace {
  /** The template's directory: CodeUri is relative to it, as with `sam build`. */
  baseDir: string;
  /** Where zips and inline code are written (under the state directory, or a temporary one). */
  codeRoot: string;
}

/**
 * The directory of a function's code: a folder used in place (edit and restart, as with
 * lambda-sim.yaml), a zip unpacked once per content, or inline code written as a single file
 * (see inlineFileName).
 */
export async function codeDirectory(logicalId: string, code: { uri?: unknown; inline?: unknown; runtime?: unknown }, place: CodePlace, path: TemplatePath): Promise<string> {
  if (typeof code.inline === "string") {
    const file = inlineFileName(code.runtime, path);
    const dir = join(place.codeRoot, "inline", logicalId);
    mkdirSync(dir, { recursive: true });
    writeIfChanged(join(dir, file), code.inline);
    // index.js is CommonJS, as on AWS, even under a project whose package.json says "type": "module".
    if (file === "index.js") writeIfChanged(join(dir, "package.json"), '{ "type": "commonjs" }\n');
    return dir;
  }
  const uri = code.uri;
  if (uri === undefined) throw new TemplateError(path, "expected CodeUri (a folder or a zip file beside the template) or InlineCode, but it is missing");
  if (typeof uri !== "string" || uri.startsWith("s3://")) {
    throw new TemplateError(path, `expected a local folder or zip file: code in S3 is not reachable offline, got ${JSON.stringify(uri)}`);
  }
  const full = resolve(place.baseDir, uri);
  const kind = (() => {
    try {
      const s = statSync(full);
      return s.isDirectory() ? "dir" : s.isFile() ? "file" : undefined;
    } catch {
      return undefined;
    }
  })();
  if (kind === "dir") return full;
  if (kind === "file" && full.endsWith(".zip")) {
    const stored = await new CodeStore(join(place.codeRoot, "zip")).unpack(logicalId, readFileSync(full)).catch((e: Error) => {
      throw new TemplateError(path, `cannot unzip ${full}: ${e.message}`);
    });
    return stored.codeDir;
  }
  throw new TemplateError(path, kind === "file" ? `expected a folder or a .zip file, got ${full}` : `directory not found: ${full}`);
}

/**
 * CloudFormation writes `InlineCode`/`ZipFile` as a file named `index` with the runtime's
 * extension, `.js` for Node.js (a CommonJS module) and `.py` for Python: inline code is for those
 * two only ("AWS::Lambda::Function Code": "For Node.js and Python functions, you can specify the
 * function code inline").
 */
function inlineFileName(runtime: unknown, path: TemplatePath): string {
  if (typeof runtime === "string" && runtime.startsWith("nodejs")) return "index.js";
  if (typeof runtime === "string" && runtime.startsWith("python")) return "index.py";
  throw new TemplateError(path, `inline code is written for Node.js and Python runtimes only (as CloudFormation does), got Runtime ${JSON.stringify(runtime)}: use CodeUri (a folder or a zip file)`);
}

/**
 * Writes `text` unless the file holds it already: the code's fingerprint counts modification
 * times, so rewriting unchanged inline code at each start would make it a new CodeSha256 (and
 * AutoPublishAlias a new version) every time.
 */
function writeIfChanged(file: string, text: string): void {
  try {
    if (readFileSync(file, "utf8") === text) return;
  } catch {
    // not there yet
  }
  writeFileSync(file, text);
}
