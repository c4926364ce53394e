import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";

/**
 * What a function's /opt holds: its layers extracted in order, a later layer's files replacing an
 * earlier one's at the same path, as AWS extracts them. Built once per distinct list of layer
 * directories under `root` and shared, read-only, by every environment that mounts it.
 */
export function mergedOptDirectory(root: string, layerDirs: readonly string[]): string {
  const key = createHash("sha256").update(layerDirs.join("\0")).digest("hex").slice(0, 32);
  const dir = join(root, key);
  if (existsSync(dir)) return dir;
  const staging = `${dir}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  for (const layer of layerDirs) cpSync(layer, staging, { recursive: true, force: true, verbatimSymlinks: true });
  renameSync(staging, dir);
  return dir;
}
