import { existsSync } from "node:fs";
import { isAbsolute, join, relative, sep } from "node:path";
import type { FunctionVersionConfig } from "./function-model.ts";

/** The folders of a state directory that hold code a stored row may name (code-store.ts, the CLI's template code). */
const CODE_FOLDERS = new Set(["code", "template-code"]);

/**
 * Paths as the state directory's database stores them: a directory inside the state directory
 * (an unpacked package, a published copy, a merged /opt) relative to it, anything else (a
 * declared function's folder, used in place) absolute. So a project folder moved or renamed with
 * its `.lambda-sim` inside, or a state directory copied elsewhere, still finds its published
 * versions' and layer versions' code: the rows name it from wherever the state directory now is.
 *
 * Rows written before paths were stored so are absolute: one that still exists is used as is;
 * one that does not is re-based onto this state directory by its last components from `code/`
 * or `template-code/` on (`/old/project/.lambda-sim/code/fn/published-ab12` ->
 * `<state>/code/fn/published-ab12`), when that exists.
 */
export class StatePaths {
  readonly stateDir: string;

  constructor(stateDir: string) {
    this.stateDir = stateDir;
  }

  /** What the database stores for `path`: relative to the state directory when inside it. */
  stored(path: string): string;
  stored(path: string | undefined): string | undefined;
  stored(path: string | undefined): string | undefined {
    if (path === undefined || !isAbsolute(path)) return path;
    const rel = relative(this.stateDir, path);
    return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel : path;
  }

  /** The absolute path a stored one names now (see the class comment for rows written absolute). */
  resolved(path: string): string;
  resolved(path: string | undefined): string | undefined;
  resolved(path: string | undefined): string | undefined {
    if (path === undefined) return undefined;
    if (!isAbsolute(path)) return join(this.stateDir, path);
    if (existsSync(path)) return path;
    return this.rebased(path) ?? path;
  }

  /** A function version's configuration as stored: its code, layer and /opt directories by stored(). */
  storedConfig(c: FunctionVersionConfig): FunctionVersionConfig {
    return mapPaths(c, (p) => this.stored(p));
  }

  /** A function version's configuration as the database row holds it (JSON of storedConfig()). */
  json(c: FunctionVersionConfig): string {
    return JSON.stringify(this.storedConfig(c));
  }

  /** A stored function version's configuration with its directories resolved(). */
  loadedConfig(c: FunctionVersionConfig): FunctionVersionConfig {
    return mapPaths(c, (p) => this.resolved(p));
  }

  /** `path`'s components from its last `code/` or `template-code/` on, under this state directory, if that exists. */
  private rebased(path: string): string | undefined {
    const parts = path.split(sep).filter((p) => p !== "");
    for (let i = parts.length - 2; i >= 0; i--) {
      if (!CODE_FOLDERS.has(parts[i]!)) continue;
      const candidate = join(this.stateDir, ...parts.slice(i));
      if (existsSync(candidate)) return candidate;
    }
    return undefined;
  }
}

function mapPaths(c: FunctionVersionConfig, f: (p: string) => string): FunctionVersionConfig {
  return {
    ...c,
    codeDir: f(c.codeDir),
    optDir: c.optDir === undefined ? undefined : f(c.optDir),
    layers: c.layers?.map((l) => ({ ...l, dir: f(l.dir) })),
  };
}
