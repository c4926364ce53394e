import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliName } from "./cli-name.ts";

/** A bin, and folders holding a `lambda-sim` link to it: a global install's, and a project's node_modules/.bin. */
function layout() {
  const root = mkdtempSync(join(tmpdir(), "lambda-sim-cli-name-"));
  const bin = join(root, "pkg", "bin", "lambda-sim.js");
  mkdirSync(join(root, "pkg", "bin"), { recursive: true });
  writeFileSync(bin, "");
  const global = join(root, "global", "bin");
  const project = join(root, "project", "node_modules", ".bin");
  for (const dir of [global, project]) {
    mkdirSync(dir, { recursive: true });
    symlinkSync(bin, join(dir, "lambda-sim"));
  }
  return { bin, global, project, other: join(root, "empty") };
}

describe("cliName: how the start banner names lambda-sim in the commands it suggests", () => {
  it("says lambda-sim when that name on the user's PATH is this bin, npx lambda-sim when it is not there", () => {
    const { bin, global, other } = layout();
    expect(cliName(bin, `${other}:${global}`, {})).toBe("lambda-sim");
    expect(cliName(bin, other, {})).toBe("npx lambda-sim");
  });

  it("counts a node_modules/.bin the user put on their PATH, but not the one npm or npx put there for the command they run (walk40)", () => {
    const { bin, project } = layout();
    expect(cliName(bin, project, {})).toBe("lambda-sim");
    expect(cliName(bin, project, { npm_command: "exec" })).toBe("npx lambda-sim");
    expect(cliName(bin, project, { npm_lifecycle_event: "start" })).toBe("npx lambda-sim");
  });
});
