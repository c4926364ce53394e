import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/** `command` itself if it is a path, else its first executable on the simulator's PATH (no process started). */
export function onPath(command: string): string | undefined {
  if (command.includes("/")) return command;
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    try {
      accessSync(join(dir, command), constants.X_OK);
      return join(dir, command);
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}

const resolved = new Map<string, string>();

/**
 * A host tool the simulator starts a runtime through (chrt, setpriv, unshare, sh, mount), as an
 * absolute path found once on the simulator's own PATH. The runtime's process gets the function's
 * environment, whose PATH is the function's business (AWS reserves no PATH; it starts the runtime by
 * absolute path), so nothing in the chain may be looked up through it: a function with
 * `PATH=/opt/bin` must still start. The bare name when it is nowhere on PATH (the probe then fails).
 */
export function hostCommand(name: string): string {
  let path = resolved.get(name);
  if (path === undefined) {
    path = onPath(name) ?? name;
    resolved.set(name, path);
  }
  return path;
}
