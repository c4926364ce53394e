import { createReadStream, lstatSync, readdirSync, readlinkSync, type ReadStream } from "node:fs";
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
 * Destroying the stream before its end (a client that went away) closes the file being read and
 * opens no other: yazl pipes each file through its own stages into the output with `end: false`,
 * so a destroyed output alone leaves the file's stream paused with its descriptor open.
 */
export function zipDirectory(dir: string, skip?: (path: string) => boolean): Readable {
  // yazl only when someone downloads code: a simulator that is not asked never loads it (idle RSS).
  const yazl = createRequire(import.meta.url)("yazl") as typeof import("yazl");
  const zip = new yazl.ZipFile();
  const out = zip.outputStream as Readable;
  const open = new Set<ReadStream>();
  let stopped = false;
  // yazl reports a file it cannot read (deleted meanwhile: the function updated or deleted during
  // the download) on the ZipFile, not on its stream: unheard, that error ended the process.
  zip.on("error", (e: Error) => out.destroy(e));
  out.on("close", () => {
    if (out.readableEnded) return;
    stopped = true;
    for (const rs of open) rs.destroy();
    open.clear();
  });
  const entries: [string, string][] = [];
  collect(dir, "", entries, skip);
  for (const [abs, rel] of entries) {
    const st = lstatSync(abs);
    const options = { mtime: st.mtime, mode: st.mode };
    if (st.isSymbolicLink()) zip.addBuffer(Buffer.from(readlinkSync(abs)), rel, { ...options, mode: S_IFLNK | (st.mode & 0o777), compress: false });
    else if (st.isDirectory()) zip.addEmptyDirectory(rel, options);
    else if (st.isFile()) {
      // Opened only when its turn comes (one file at a time), and never once the output is gone.
      zip.addReadStreamLazy(rel, options, (cb) => {
        if (stopped) return cb(new Error("download abandoned"), undefined as never);
        const rs = createReadStream(abs);
        open.add(rs);
        rs.on("close", () => open.delete(rs));
        rs.on("error", (e) => zip.emit("error", e));
        cb(null, rs);
      });
    }
  }
  zip.end();
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
