import { readFile } from "node:fs/promises";
import { CodeStore } from "./code-store.ts";

/**
 * A layer given as a .zip in lambda-sim.yaml: unpacked once per distinct content under `root`
 * (`<root>/zip/<sha256 hex>`, never beside the user's files), and used from there. The caller
 * owns `root`: the state directory's (kept with it, so a restart finds the same folder and keeps
 * the layer's version), or a folder of its own removed with the simulator (`--in-memory`). Never
 * a folder shared by every simulator on the machine: two starting at once would unpack into it
 * together, and nothing would ever remove it.
 */
export async function unpackLayerZip(zipPath: string, root: string): Promise<string> {
  const stored = await new CodeStore(root).unpack("zip", await readFile(zipPath), "PublishLayerVersion");
  return stored.codeDir;
}
