#!/usr/bin/env node
// lambda-sim runs its TypeScript sources directly (no build step). Node >= 22.18 strips types by
// default; 22.12-22.17 need the flag, so re-run this same command with it.
import { spawn } from "node:child_process";

if (process.features.typescript) {
  await import("../src/main.ts");
} else {
  const child = spawn(
    process.execPath,
    ["--experimental-strip-types", "--disable-warning=ExperimentalWarning", ...process.execArgv, ...process.argv.slice(1)],
    { stdio: "inherit" },
  );
  for (const s of ["SIGINT", "SIGTERM"]) process.on(s, () => child.kill(s));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
