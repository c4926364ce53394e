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
 * lambda-sim.yaml), a zip unpacked once per content, or inline code written as `index.js`, the
 * file name CloudFormation gives `InlineCode`/`ZipFile` for Node.js runtimes.
 */
export async function codeDirectory(logicalId: string, code: { uri?: unknown; inline?: unknown }, place: CodePlace, path: TemplatePath): Promise<string> {
  if (typeof code.inline === "string") {
    const dir = join(place.codeRoot, "inline", logicalId);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "index.js"), code.inline);
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
