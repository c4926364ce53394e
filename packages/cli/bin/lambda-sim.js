#!/usr/bin/env node
// lambda-sim runs its TypeScript sources directly (no build step), which needs Node >= 22.18 (type
// stripping on by default; 22.12-22.17 need a flag). Under an older Node, run this same command
// with the Node 24 that npm installed beside lambda-sim (the `node` package), or say in one line
// which Node is needed. Kept to syntax every Node since 14 parses, so that line is what users see.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

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
  // The terminal's Ctrl-C reaches the child too (same process group): wait for it to exit.
  for (const s of ["SIGINT", "SIGTERM"]) process.on(s, () => {});
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

if (process.features && process.features.typescript) {
  await import("../src/main.ts");
} else if (major > 22 || (major === 22 && minor >= 12)) {
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
