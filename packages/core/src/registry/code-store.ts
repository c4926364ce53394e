import { createHash } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join, relative, sep } from "node:path";
import { isAwsError } from "../errors/aws-error.ts";
import { lambdaErrors } from "../errors/lambda-errors.ts";
import { snapshotDirectory } from "./code-snapshot.ts";
import type { CodeCollector } from "./code-collector.ts";
import { extractZip, MAX_UNZIPPED_BYTES, UNZIP_FAILED } from "./zip-extract.ts";

export interface StoredCode {
  codeDir: string;
  codeSha256: string;
  codeSize: number;
}

/** A copy of a declared folder for a published version is `published-<fingerprint hex>` (snapshot()). */
const PUBLISHED = "published-";

/** Direct upload cap: 50 MB zipped (aws-facts §3 "Other"). */
export const MAX_ZIP_BYTES = 50 * 1024 * 1024;
export { MAX_UNZIPPED_BYTES };

/**
 * Uploaded deployment packages, unpacked once per distinct zip under
 * `<codeRoot>/<function>/<sha256 hex>/` (zip-extract.ts: modes and links kept, nothing written
 * outside). A package is unpacked into `<dir>.partial-XXXXXX` (a name of its own: another process
 * unpacking the same zip into the same folder stages apart) and renamed when complete, so a
 * directory without the suffix is always whole; a `.partial-` one is what a crash interrupted. With a
 * collector (the state directory's code folder, code-collector.ts), an unpacked package is held
 * until its caller release()s it: kept if a function or layer version now uses it, removed if the
 * request was refused after all.
 */
export class CodeStore {
  private readonly root: string;
  /** The state directory, left out of a declared folder that holds it (`codeUri: ./`). */
  private readonly stateDir: string;
  private readonly collector: CodeCollector | undefined;
  /** Unpacks in progress, by directory: the same zip uploaded twice at once is unpacked once. */
  private readonly unpacking = new Map<string, Promise<void>>();

  constructor(root: string, collector?: CodeCollector, stateDir = dirname(root)) {
    this.root = root;
    this.stateDir = stateDir;
    this.collector = collector;
  }

  async unpack(functionName: string, zip: Buffer, operation = "CreateFunction"): Promise<StoredCode> {
    if (zip.length > MAX_ZIP_BYTES) {
      throw lambdaErrors.requestTooLarge(`Request must be smaller than ${MAX_ZIP_BYTES} bytes for the ${operation} operation`);
    }
    const digest = createHash("sha256").update(zip).digest();
    const codeDir = join(this.root, functionName, digest.toString("hex"));
    const stored = { codeDir, codeSha256: digest.toString("base64"), codeSize: zip.length };
    this.collector?.hold(codeDir);
    if (existsSync(codeDir)) return stored;
    let pending = this.unpacking.get(codeDir);
    if (pending === undefined) {
      pending = this.extractInto(zip, codeDir).finally(() => this.unpacking.delete(codeDir));
      this.unpacking.set(codeDir, pending);
    }
    try {
      await pending;
    } catch (e) {
      this.release(codeDir);
      throw e;
    }
    return stored;
  }

  /** The request that unpacked `codeDir` is answered (see the class comment). */
  release(codeDir: string): void {
    this.collector?.release(codeDir);
  }

  private async extractInto(zip: Buffer, codeDir: string): Promise<void> {
    let staging: string | undefined;
    try {
      mkdirSync(dirname(codeDir), { recursive: true });
      staging = mkdtempSync(`${codeDir}.partial-`);
      await extractZip(zip, staging);
      try {
        renameSync(staging, codeDir);
      } catch (e) {
        // Another process unpacked the same zip first (the name is its content's hash): its copy is as good.
        if (!existsSync(codeDir)) throw e;
        rmSync(staging, { recursive: true, force: true });
      }
    } catch (e) {
      if (staging !== undefined) rmSync(staging, { recursive: true, force: true });
      // Whatever the filesystem refused (the staging directory too): the upload is refused as AWS refuses a bad zip.
      throw isAwsError(e) ? e : lambdaErrors.invalidParameterValue(UNZIP_FAILED);
    }
  }

  /**
   * The unzipped size of one of this store's packages: files and links as the zip held them
   * (a link counts its target's name, never followed: it may point anywhere, or at itself). A
   * folder used in place is measured as its fingerprint measures it.
   */
  unzippedSize(dir: string): number {
    if (!this.owns(dir)) return fingerprintDirectory(dir, (p) => this.leftOut(p)).codeSize;
    let size = 0;
    const walk = (d: string) => {
      for (const entry of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, entry.name);
        if (entry.isDirectory()) walk(p);
        else size += lstatSync(p).size;
      }
    };
    walk(dir);
    return size;
  }

  /**
   * A published version's copy of a local code folder (code-snapshot.ts), under
   * `<codeRoot>/<function>/published-<fingerprint hex>/`: one per distinct folder state, shared
   * by versions that published the same one. `previous` (an earlier snapshot) lends its
   * unchanged files. What leftOut() names is left out. Layers' declared folders are copied so
   * too (`<codeRoot>/.layers/<layer>/published-<hex>`): a layer version is immutable as well.
   */
  snapshot(functionName: string, srcDir: string, codeSha256: string, previous?: string): string {
    const dest = join(this.root, functionName, `${PUBLISHED}${Buffer.from(codeSha256, "base64").toString("hex")}`);
    if (existsSync(dest)) return dest;
    const staging = `${dest}.partial`;
    rmSync(staging, { recursive: true, force: true });
    const earlier = previous !== undefined && this.owns(previous) && existsSync(previous) ? previous : undefined;
    try {
      snapshotDirectory(srcDir, staging, { previous: earlier, skip: (p) => this.leftOut(p) });
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

  /** Whether `dir` is an uploaded package as unpacked (not a copy of a declared folder): its files are the zip's. */
  isUpload(dir: string): boolean {
    return this.owns(dir) && !basename(dir).startsWith(PUBLISHED);
  }

  /**
   * Whether `path`, inside a declared code folder, is not code: the state directory (or this
   * store in it), and `__pycache__`. Exactly the state directory: a folder that merely contains
   * it (`build/` holding `build/.lambda-sim`) is code, walked into so that only it is left out
   * (a `CodeUri: ./` would otherwise ship the database and every other function's code). The
   * .pyc files are what the simulator's own runs of the function wrote beside its modules: on
   * AWS /var/task is read-only and the package is what was uploaded, so they are not the code
   * (they would change its CodeSha256 after a first run, and show in Code.Location).
   */
  leftOut(path: string): boolean {
    return path === this.root || path === this.stateDir || basename(path) === "__pycache__";
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
  // Paths relative to the folder: a project moved or renamed keeps its CodeSha256 (and its versions).
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
        hash.update(`${relative(dir, p)}\0${st.size}\0${st.mtimeMs}\n`);
      }
    }
  };
  walk(dir);
  return { codeSha256: hash.digest("base64"), codeSize: size };
}
