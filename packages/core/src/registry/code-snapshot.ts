import { constants, copyFileSync, linkSync, lstatSync, mkdirSync, readdirSync, readlinkSync, symlinkSync, utimesSync, type Stats } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";

export interface SnapshotOptions {
  /** An earlier snapshot of the same folder: files unchanged since (size and mtime) are hard-linked from it. */
  previous?: string;
  /** Paths left out (the simulator's own state directory when the folder holds it). */
  skip?: (path: string) => boolean;
}

/** What a snapshot cost: bytes copied, and files shared with the previous snapshot instead. */
export interface SnapshotCost {
  copiedFiles: number;
  copiedBytes: number;
  linkedFiles: number;
}

/**
 * Copies a local code folder into `dest` (which must not exist yet) for a published version:
 * "function versions are immutable" (aws-facts §11: PublishVersion snapshots code and
 * configuration), so a version of a folder-backed function must not follow later edits of the
 * folder as `$LATEST` does.
 *
 * The cost is kept to what changed: each file is cloned (a copy-on-write reflink where the file
 * system has them, a full copy elsewhere) unless the previous snapshot holds it unchanged (same
 * size and modification time, which the copies keep), in which case that immutable file is
 * hard-linked. A second version of a folder with a large node_modules then costs the files that
 * changed, in time and disk. Symbolic links stay links: one within the folder relative (as written,
 * or made relative when written absolute), one leaving it (a workspace package) by its absolute
 * target, as `cp -r` resolves it.
 */
export function snapshotDirectory(src: string, dest: string, opts: SnapshotOptions = {}): SnapshotCost {
  const cost: SnapshotCost = { copiedFiles: 0, copiedBytes: 0, linkedFiles: 0 };
  const root = resolve(src);
  const walk = (dir: string) => {
    const out = join(dest, relative(root, dir));
    mkdirSync(out, { recursive: true });
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const from = join(dir, entry.name);
      if (opts.skip?.(from)) continue;
      const to = join(out, entry.name);
      if (entry.isSymbolicLink()) {
        const target = readlinkSync(from);
        const absolute = resolve(dirname(from), target);
        const inside = absolute === root || absolute.startsWith(root + sep);
        // Within the folder a link must stay within the copy: an absolute one is made relative.
        symlinkSync(!inside ? absolute : isAbsolute(target) ? relative(dirname(from), absolute) || "." : target, to);
      } else if (entry.isDirectory()) {
        walk(from);
      } else if (entry.isFile()) {
        const st = lstatSync(from);
        if (opts.previous !== undefined && linkUnchanged(join(opts.previous, relative(root, from)), st, to)) {
          cost.linkedFiles++;
          continue;
        }
        // A reflink when the file system can, a copy otherwise; the mode comes along.
        copyFileSync(from, to, constants.COPYFILE_FICLONE);
        utimesSync(to, st.atime, st.mtime);
        cost.copiedFiles++;
        cost.copiedBytes += st.size;
      }
      // Sockets and FIFOs are not code: left out.
    }
  };
  walk(root);
  return cost;
}

/** Hard-links `earlier` (a file of an immutable snapshot) to `to` if it is `st`'s file unchanged. */
function linkUnchanged(earlier: string, st: Stats, to: string): boolean {
  let prev: Stats;
  try {
    prev = lstatSync(earlier);
  } catch {
    return false;
  }
  // Copies keep the mtime to the millisecond (utimes takes a Date, which rounds: 185.9905 became
  // 186, so truncating both sides told an unchanged file from its copy): within a millisecond.
  if (!prev.isFile() || prev.size !== st.size || Math.abs(prev.mtimeMs - st.mtimeMs) >= 1 || (prev.mode & 0o777) !== (st.mode & 0o777)) return false;
  try {
    linkSync(earlier, to);
    return true;
  } catch {
    // Too many links, another file system: copied instead.
    return false;
  }
}
