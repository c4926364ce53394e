import { realpathSync } from "node:fs";
import { delimiter, join, sep } from "node:path";

/**
 * How the start banner names lambda-sim in the commands it suggests, so that they run when pasted
 * into the user's shell: `lambda-sim` when that name on the PATH is this very bin (a global
 * install), else `npx lambda-sim`, which finds the project's own (`npm install -D`, the README's
 * way) or this repository's. npm scripts and npx put `node_modules/.bin` folders on the PATH of
 * what they run; the shell the user started them from has none of them, so those are left out.
 */
export function cliName(bin: string | undefined = process.argv[1], path: string = process.env.PATH ?? ""): string {
  const self = real(bin);
  const onPath = path
    .split(delimiter)
    .filter((dir) => dir !== "" && !dir.endsWith(`${sep}node_modules${sep}.bin`))
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
