import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CodeStore } from "./code-store.ts";

/**
 * A layer given as a .zip in lambda-sim.yaml or a template: unpacked once per distinct content
 * under the system's temporary directory (never beside the user's files), and used from there.
 */
export async function unpackLayerZip(zipPath: string): Promise<string> {
  const stored = await new CodeStore(join(tmpdir(), "lambda-sim-layer-zips")).unpack("zip", await readFile(zipPath), "PublishLayerVersion");
  return stored.codeDir;
}
