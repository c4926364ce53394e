import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { lambdaErrors } from "../errors/lambda-errors.ts";

/**
 * What a function's /opt holds: its layers extracted in order, a later layer's files replacing an
 * earlier one's at the same path, as AWS extracts them. Built once per distinct list of layer
 * directories under `root` and shared, read-only, by every environment that mounts it. Keyed by
 * the layers' places relative to the code folder: a moved state directory finds the same merge.
 */
export function mergedOptDirectory(root: string, layerDirs: readonly string[]): string {
  const key = createHash("sha256").update(layerDirs.map((d) => relative(dirname(root), d)).join("\0")).digest("hex").slice(0, 32);
  const dir = join(root, key);
  if (existsSync(dir)) return dir;
  const staging = `${dir}.partial`;
  rmSync(staging, { recursive: true, force: true });
  try {
    mkdirSync(staging, { recursive: true });
    // Links copied as links; a file replacing a link replaces the link itself (cp unlinks it first).
    for (const layer of layerDirs) cpSync(layer, staging, { recursive: true, force: true, verbatimSymlinks: true });
    renameSync(staging, dir);
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    // Layers that cannot be laid over one another (a directory over an earlier layer's link or file):
    // AWS's answer is unrecorded; refused here, naming what the filesystem said.
    throw lambdaErrors.invalidParameterValue(`The function's layers cannot be extracted together into /opt: ${(e as Error).message}`);
  }
  return dir;
}
