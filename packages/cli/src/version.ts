import { readFileSync } from "node:fs";

/**
 * lambda-sim's version, from the nearest manifest above this file that is lambda-sim's: the cli
 * package's in the repository, the packed package's once installed (scripts/pack.ts).
 */
export function cliVersion(): string {
  for (let dir = new URL("./", import.meta.url); dir.pathname !== "/"; dir = new URL("../", dir)) {
    try {
      const manifest = JSON.parse(readFileSync(new URL("package.json", dir), "utf8")) as { name?: string; version?: string };
      if ((manifest.name === "lambda-sim" || manifest.name === "@lambda-sim/cli") && manifest.version) return manifest.version;
    } catch {
      // no manifest here: look further up
    }
  }
  return "unknown";
}
