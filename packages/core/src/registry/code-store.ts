import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import { createRequire } from "node:module";
import type { Entry } from "yauzl";
import { lambdaErrors } from "../errors/lambda-errors.ts";
import { snapshotDirectory } from "./code-snapshot.ts";

export interface StoredCode {
  codeDir: string;
  codeSha256: string;
  codeSize: number;
}

/** Direct upload cap: 50 MB zipped (aws-facts §3 "Other"). */
export const MAX_ZIP_BYTES = 50 * 1024 * 1024;
/** 250 MB unzipped (aws-facts §3 "Other"). */
export const MAX_UNZIPPED_BYTES = 250 * 1024 * 1024;
const UNZIP_FAILED = "Could not unzip uploaded file. Please check your file, then try to upload again.";

/**
 * Uploaded deployment packages, unpacked once per distinct zip under
 * `<codeRoot>/<function>/<sha256 hex>/`. Unix modes survive (a `bootstrap` stays executable) and
 * no entry may land outside its directory (zip slip).
 */
export class CodeStore {
  private readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  async unpack(functionName: string, zip: Buffer, operation = "CreateFunction"): Promise<StoredCode> {
    if (zip.length > MAX_ZIP_BYTES) {
      throw lambdaErrors.requestTooLarge(`Request must be smaller than ${MAX_ZIP_BYTES} bytes for the ${operation} operation`);
    }
    const digest = createHash("sha256").update(zip).digest();
    const codeDir = join(this.root, functionName, digest.toString("hex"));
    const stored = { codeDir, codeSha256: digest.toString("base64"), codeSize: zip.length };
    if (existsSync(codeDir)) return stored;
    const staging = `${codeDir}.partial`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    try {
      await extract(zip, staging);
    } catch (e) {
      rmSync(staging, { recursive: true, force: true });
      throw e;
    }
    renameSync(staging, codeDir);
    return stored;
  }

  /**
   * A published version's copy of a local code folder (code-snapshot.ts), under
   * `<codeRoot>/<function>/published-<fingerprint hex>/`: one per distinct folder state, shared
   * by versions that published the same one. `previous` (an earlier snapshot) lends its
   * unchanged files. The simulator's own state directory, when the folder holds it, is left out.
   */
  snapshot(functionName: string, srcDir: string, codeSha256: string, previous?: string): string {
    const dest = join(this.root, functionName, `published-${Buffer.from(codeSha256, "base64").toString("hex")}`);
    if (existsSync(dest)) return dest;
    const staging = `${dest}.partial`;
    rmSync(staging, { recursive: true, force: true });
    const earlier = previous !== undefined && this.owns(previous) && existsSync(previous) ? previous : undefined;
    try {
      snapshotDirectory(srcDir, staging, { previous: earlier, skip: (p) => this.withinState(p) });
    } catch (e) {
      rmSync(staging, { recursive: true, force: true });
      throw e;
    }
    renameSync(staging, dest);
    return dest;
  }

  /** Whether `dir` is one of this store's directories (an unpacked package or a snapshot). */
  owns(dir: string): boolean {
    return dir.startsWith(this.root + sep);
  }

  /**
   * Whether `path` is the state directory (or this store in it) inside a code folder: never code.
   * Exactly those two: a folder that merely contains the state directory (`build/` holding
   * `build/.lambda-sim`) is code, walked into so that only the state directory is left out.
   */
  withinState(path: string): boolean {
    return path === this.root || path === dirname(this.root);
  }

  /** Removes every unpacked package of a function (DeleteFunction). */
  remove(functionName: string): void {
    rmSync(join(this.root, functionName), { recursive: true, force: true });
  }

  /** Removes one package if no configuration refers to it any more. */
  removeDir(codeDir: string): void {
    if (this.owns(codeDir)) rmSync(codeDir, { recursive: true, force: true });
  }
}

/**
 * For functions declared in lambda-sim.yaml, whose directory is used in place: a fingerprint of
 * the file list with sizes and modification times (cheap; a content hash of node_modules is not),
 * so an edited file changes CodeSha256 and retires warm environments on the next start. `skip`
 * leaves out the simulator's state directory when the folder holds it (`codeUri: .`): its
 * database changes at every start, the code does not.
 */
export function fingerprintDirectory(dir: string, skip?: (path: string) => boolean): { codeSha256: string; codeSize: number } {
  const hash = createHash("sha256");
  let size = 0;
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (skip?.(p)) continue;
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else {
        size += st.size;
        hash.update(`${p}\0${st.size}\0${st.mtimeMs}\n`);
      }
    }
  };
  walk(dir);
  return { codeSha256: hash.digest("base64"), codeSize: size };
}

function extract(zip: Buffer, dest: string): Promise<void> {
  // yauzl at the first upload: a simulator serving code from disk never unzips (issue 16, idle RSS).
  const yauzl = createRequire(import.meta.url)("yauzl") as typeof import("yauzl");
  return new Promise((resolvePromise, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true, decodeStrings: true, validateEntrySizes: true }, (err, zipfile) => {
      if (err || zipfile === undefined) return reject(lambdaErrors.invalidParameterValue(UNZIP_FAILED));
      let total = 0;
      const fail = (e: unknown) => {
        zipfile.close();
        reject(e);
      };
      zipfile.on("error", (e: Error) => fail(escapes(e) ? zipSlip(e.message) : lambdaErrors.invalidParameterValue(UNZIP_FAILED)));
      zipfile.on("end", () => resolvePromise());
      zipfile.on("entry", (entry: Entry) => {
        const target = resolve(dest, entry.fileName);
        if (!target.startsWith(dest + sep)) return fail(zipSlip(entry.fileName));
        if (entry.fileName.endsWith("/")) {
          mkdirSync(target, { recursive: true });
          return zipfile.readEntry();
        }
        total += entry.uncompressedSize;
        if (total > MAX_UNZIPPED_BYTES) {
          return fail(lambdaErrors.invalidParameterValue(`Unzipped size must be smaller than ${MAX_UNZIPPED_BYTES} bytes`));
        }
        zipfile.openReadStream(entry, (e, stream) => {
          if (e || stream === undefined) return fail(lambdaErrors.invalidParameterValue(UNZIP_FAILED));
          const chunks: Buffer[] = [];
          stream.on("data", (c: Buffer) => chunks.push(c));
          stream.on("error", () => fail(lambdaErrors.invalidParameterValue(UNZIP_FAILED)));
          stream.on("end", () => {
            mkdirSync(dirname(target), { recursive: true });
            writeFileSync(target, Buffer.concat(chunks));
            // Unix permissions live in the high 16 bits of the external attributes.
            const mode = (entry.externalFileAttributes >>> 16) & 0o777;
            chmodSync(target, mode === 0 ? 0o644 : mode | 0o400);
            zipfile.readEntry();
          });
        });
      });
      zipfile.readEntry();
    });
  });
}

function escapes(e: Error): boolean {
  return /invalid relative path|absolute path/.test(e.message);
}

// AWS's own wording for a path-traversal entry is not documented; this names the entry.
function zipSlip(name: string) {
  return lambdaErrors.invalidParameterValue(`Could not unzip uploaded file: the entry '${name}' would be written outside the function's directory.`);
}
