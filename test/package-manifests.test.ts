import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// What a package.json promises (its exports and bin) must be there: an export pointing at a file
// that does not exist fails only when someone imports it.
const root = fileURLToPath(new URL("../", import.meta.url));

function targets(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (value !== null && typeof value === "object") return Object.values(value).flatMap(targets);
  return [];
}

describe("package manifests", () => {
  for (const pkg of ["core", "sources", "cli"]) {
    it(`packages/${pkg}: every exports and bin target exists`, () => {
      const dir = `${root}packages/${pkg}/`;
      const manifest = JSON.parse(readFileSync(`${dir}package.json`, "utf8")) as { exports?: unknown; bin?: unknown };
      const missing = [...targets(manifest.exports), ...targets(manifest.bin)].filter((t) => !existsSync(`${dir}${t}`));
      expect(missing).toEqual([]);
    });
  }
});
