import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLI } from "./support/lambda-sim-process.ts";
import { runReadmeVitestSetup } from "./support/readme-vitest-project.ts";

// The README's vitest global setup ("Use it in your project") and its integration test (Fault
// injection), copied into a project of a user's own and run with vitest as written: the two once
// did not fit together (a hard-coded port, no virtual clock), and only running them keeps them so.
// This checkout's bin here; packed-install.test.ts runs them with the packed package installed.
let project: string | undefined;
afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

describe("the README's vitest global setup and integration test", () => {
  it("pass when copied into a project and run with vitest", async () => {
    // Not under /tmp: a function's private /tmp would hide the project around its code.
    project = mkdtempSync(join(homedir(), ".lambda-sim-test-readme-vitest-"));
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "my-app", private: true, type: "module" }));
    // What `npm install -D lambda-sim` puts there: this checkout's bin.
    mkdirSync(join(project, "node_modules/.bin"), { recursive: true });
    symlinkSync(CLI, join(project, "node_modules/.bin/lambda-sim"));
    const r = await runReadmeVitestSetup(project, process.execPath);
    expect(r, r.output).toMatchObject({ code: 0 });
    expect(r.output).toMatch(/✓ .*a message the consumer keeps failing ends in the DLQ/);
  }, 180_000);
});
