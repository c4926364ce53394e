import { readdirSync, rmdirSync, rmSync } from "node:fs";
import { join, sep } from "node:path";

/** Says which directories are in use: a function's versions, layer versions, live environments. */
export type CodeUsers = () => Iterable<string | undefined>;

/**
 * Removes from the state directory's code folder what nothing uses any more: the packages of
 * deleted functions, versions and layer versions, the merged /opt of a set of layers no function
 * uses, the package of an upload that was refused after it was unpacked, and what a crash left
 * half done (`*.partial-*`). Its layout is fixed: `<function>/<package>`, `.layers/<layer>/<package>`
 * and `.opt/<merge>` (code-store.ts, layer-registry.ts, opt-directory.ts).
 *
 * In use, and never removed: every directory a function's $LATEST or published version names
 * (its code, its layers, its /opt; an alias only ever points at those), every layer version's
 * (a deleted version's stays while a function uses it, as on AWS), every live environment's (a
 * deleted function's busy environment finishes its invocation from its code, then retires; the
 * invoker collects again when it has), and every upload between its unpack and its answer.
 *
 * `otherRoots`: more folders of unpacked packages laid out `<name>/<package>` (the CLI's
 * `template-code/zip/<logicalId>/<sha256>`), collected by the same rule: a template's zip edited
 * and restarted leaves its former package to go once no function or layer version uses it.
 */
export class CodeCollector {
  private readonly root: string;
  private readonly otherRoots: readonly string[];
  private readonly users: CodeUsers[] = [];
  /** Uploads unpacked and not yet answered, by directory (a count: two may share one). */
  private readonly held = new Map<string, number>();

  constructor(root: string, otherRoots: readonly string[] = []) {
    this.root = root;
    this.otherRoots = otherRoots;
  }

  /** Adds a source of directories in use. */
  use(users: CodeUsers): void {
    this.users.push(users);
  }

  /** Keeps `dir` (and its `.partial-*` staging) while an upload is unpacked into it and answered. */
  hold(dir: string): void {
    this.held.set(dir, (this.held.get(dir) ?? 0) + 1);
  }

  /** The upload is answered: its directory stays if something now uses it, and goes otherwise. */
  release(dir: string): void {
    const n = (this.held.get(dir) ?? 0) - 1;
    if (n > 0) {
      this.held.set(dir, n);
      return;
    }
    this.held.delete(dir);
    this.collect();
  }

  /** Removes every directory of the code folder that nothing uses (see the class comment). */
  collect(): void {
    const inUse = new Set<string>();
    try {
      for (const [dir] of this.held) addKeys(addKeys(inUse, dir), `${dir}.partial`);
      for (const users of this.users) for (const dir of users()) if (dir !== undefined) addKeys(inUse, dir);
    } catch {
      // What is in use cannot be told (the database closing at shutdown): nothing is removed.
      return;
    }
    for (const name of list(this.root)) {
      const dir = join(this.root, name);
      if (name === ".layers") {
        for (const layer of list(dir)) this.collectIn(join(dir, layer), `${name}/${layer}`, inUse);
        removeIfEmpty(dir);
      } else {
        this.collectIn(dir, name, inUse);
      }
    }
    for (const root of this.otherRoots) for (const name of list(root)) this.collectIn(join(root, name), name, inUse);
  }

  /** `parent`'s unused children, then `parent` itself once empty (a function's folder, a layer's). */
  private collectIn(parent: string, key: string, inUse: ReadonlySet<string>): void {
    for (const name of list(parent)) {
      const dir = join(parent, name);
      // An upload's staging folder is `<package>.partial-XXXXXX` (code-store.ts), held as `<package>.partial`.
      if (inUse.has(`${key}/${name}`) || inUse.has(`${key}/${name.replace(/\.partial-[^/]*$/, ".partial")}`)) continue;
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // Left for the next collection (or the next start).
      }
    }
    removeIfEmpty(parent);
  }
}

/**
 * A directory in use is known by its last components, `<function>/<package>`, `.opt/<merge>` or
 * `.layers/<layer>/<package>`, never by its whole path: a state directory moved, renamed or
 * reached through a link since its database was written names its packages under another
 * prefix, and they must not be taken for unused. (A folder of the user's matches nothing, or
 * keeps a package that happens to share its last names: more kept, never less.)
 */
function addKeys(keys: Set<string>, dir: string): Set<string> {
  const parts = dir.split(sep).filter((p) => p !== "");
  return keys.add(parts.slice(-2).join("/")).add(parts.slice(-3).join("/"));
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function removeIfEmpty(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // Not empty (or already gone): kept.
  }
}
