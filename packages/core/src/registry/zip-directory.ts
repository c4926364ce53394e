import { lstatSync, readdirSync, readlinkSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Readable } from "node:stream";

/** A symbolic link's file type bits, as `zip -y` stores them (zip-extract.ts keeps them so). */
const S_IFLNK = 0o120000;

/**
 * A deployment package made from unpacked code: every file under `dir` with its Unix mode (a
 * `bootstrap` stays executable), symbolic links as links, directories as entries, paths with `/`.
 * What GetFunction's and GetLayerVersion's `Location` downloads. The bytes differ from the zip
 * that was uploaded (lambda-sim keeps code unpacked), the files do not. `skip` leaves out what is
 * not the code of a declared folder (CodeStore.leftOut). Throws when `dir` is gone.
 */
export function zipDirectory(dir: string, skip?: (path: string) => boolean): Readable {
  // yazl only when someone downloads code: a simulator that is not asked never loads it (idle RSS).
  const yazl = createRequire(import.meta.url)("yazl") as typeof import("yazl");
  const zip = new yazl.ZipFile();
  const entries: [string, string][] = [];
  collect(dir, "", entries, skip);
  for (const [abs, rel] of entries) {
    const st = lstatSync(abs);
    const options = { mtime: st.mtime, mode: st.mode };
    if (st.isSymbolicLink()) zip.addBuffer(Buffer.from(readlinkSync(abs)), rel, { ...options, mode: S_IFLNK | (st.mode & 0o777), compress: false });
    else if (st.isDirectory()) zip.addEmptyDirectory(rel, options);
    else if (st.isFile()) zip.addFile(abs, rel, options);
  }
  zip.end();
  const out = zip.outputStream as Readable;
  // yazl reports a file it cannot read (deleted meanwhile: the function updated or deleted during
  // the download) on the ZipFile, not on its stream: unheard, that error ended the process.
  zip.on("error", (e: Error) => out.destroy(e));
  return out;
}

/** Depth first, names sorted: the same folder gives the same entries in the same order. */
function collect(dir: string, prefix: string, out: [string, string][], skip: ((path: string) => boolean) | undefined): void {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const abs = join(dir, e.name);
    if (skip?.(abs)) continue;
    const rel = prefix + e.name;
    out.push([abs, rel]);
    if (e.isDirectory()) collect(abs, `${rel}/`, out, skip);
  }
}
