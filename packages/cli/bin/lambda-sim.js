#!/usr/bin/env node
// In the repository lambda-sim runs its TypeScript sources directly (no build step), which needs
// Node >= 22.18 (type stripping on by default; 22.12-22.17 need a flag); the packed package
// (scripts/pack.ts) ships them compiled, beside this file. Under a Node older than 22.12, run this
// same command with the Node 24 that npm installed beside lambda-sim (the `node` package), or say
// in one line which Node is needed. Kept to syntax every Node since 14 parses, so that line is
// what users see.
import { spawn } from "node:child_process";
import module, { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const [major, minor] = process.versions.node.split(".").map(Number);

function bundledNode() {
  try {
    const file = join(dirname(createRequire(import.meta.url).resolve("node/package.json")), "bin", "node");
    return existsSync(file) && file !== process.execPath ? file : undefined;
  } catch {
    return undefined;
  }
}

function rerun(node, flags) {
  const child = spawn(node, [...flags, ...process.execArgv, ...process.argv.slice(1)], { stdio: "inherit" });
  // Passed on, and the child's exit awaited (it ignores the copy a terminal's Ctrl-C also sends).
  for (const s of ["SIGINT", "SIGTERM"]) process.on(s, () => child.kill(s));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const recent = major > 22 || (major === 22 && minor >= 12);
// V8's code cache on disk: a client command (`lambda-sim invoke`) starts in a fraction of the time.
if (recent && module.enableCompileCache) module.enableCompileCache();

if (recent && existsSync(fileURLToPath(new URL("../src/main.js", import.meta.url)))) {
  await import("../src/main.js");
} else if (process.features && process.features.typescript) {
  await import("../src/main.ts");
} else if (recent) {
  rerun(process.execPath, ["--experimental-strip-types", "--disable-warning=ExperimentalWarning"]);
} else if (bundledNode()) {
  rerun(bundledNode(), []);
} else {
  process.stderr.write(
    `lambda-sim: needs Node.js >= 22.12 (24 recommended), this is ${process.version} (${process.execPath}); ` +
      "install Node 24 (nodejs.org, `nvm install 24`) or `npm install -D node@24` and run lambda-sim through npx or an npm script\n",
  );
  process.exit(1);
}
