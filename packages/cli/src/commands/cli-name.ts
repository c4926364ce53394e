import { realpathSync } from "node:fs";
import { delimiter, join, sep } from "node:path";

/**
 * How the start banner names lambda-sim in the commands it suggests, so that they run when pasted
 * into the user's shell: `lambda-sim` when that name on the PATH is this very bin (a global
 * install, or a `node_modules/.bin` the user put on their own PATH), else `npx lambda-sim`, which
 * finds the project's own (`npm install -D`, the README's way) or this repository's. npm scripts and
 * npx (which set `npm_command`) put `node_modules/.bin` folders on the PATH of what they run; the
 * shell the user started them from has none of them, so under npm those are left out.
 */
export function cliName(bin: string | undefined = process.argv[1], path: string = process.env.PATH ?? "", env: NodeJS.ProcessEnv = process.env): string {
  const self = real(bin);
  const underNpm = env.npm_command !== undefined || env.npm_lifecycle_event !== undefined;
  const onPath = path
    .split(delimiter)
    .filter((dir) => dir !== "" && !(underNpm && dir.endsWith(`${sep}node_modules${sep}.bin`)))
    .map((dir) => real(join(dir, "lambda-sim")))
    .find((file) => file !== undefined);
  return self !== undefined && onPath === self ? "lambda-sim" : "npx lambda-sim";
}

function real(file: string | undefined): string | undefined {
  try {
    return file === undefined ? undefined : realpathSync(file);
  } catch {
    return undefined;
  }
}
