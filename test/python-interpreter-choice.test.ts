import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TelemetryEvent } from "@lambda-sim/core";
import { startTestSimulator, type TestSimulator } from "@lambda-sim/core/testing";

// LAMBDA_SIM_PYTHON naming an interpreter of another minor version than the function's runtime
// (this file runs in its own worker, so the choice is probed afresh): the warning says the
// variable chose it, not that none of the runtime's version exists.
const python = (() => {
  try {
    return { executable: execFileSync("sh", ["-c", "command -v python3"], { encoding: "utf8" }).trim(), minor: execFileSync("python3", ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"], { encoding: "utf8" }).trim() };
  } catch {
    return undefined;
  }
})();
const runtime = python?.minor === "3.13" ? "python3.12" : "python3.13";
const events: TelemetryEvent[] = [];
let t: TestSimulator | undefined;

describe.skipIf(python === undefined)("LAMBDA_SIM_PYTHON choosing another version (skipped: no python3 on PATH)", () => {
  beforeAll(async () => {
    process.env.LAMBDA_SIM_PYTHON = python!.executable;
    t = await startTestSimulator({
      functions: [{ functionName: "report", runtime, handler: "app.echo", codeDir: fileURLToPath(new URL("./fixtures/functions/python-basic", import.meta.url)) }],
      onTelemetry: (e) => events.push(e),
    });
  });

  afterAll(async () => {
    delete process.env.LAMBDA_SIM_PYTHON;
    await t?.close();
  });

  it("warns that the variable chose the interpreter, and how to change it", () => {
    const warnings = events.filter((e) => e.type === "simulator.warning").map((e) => (e as { message: string }).message);
    const warning = warnings.find((m) => m.includes(`${runtime} functions run on Python ${python!.minor}`));
    expect(warning, warnings.join("\n")).toContain(`from LAMBDA_SIM_PYTHON): LAMBDA_SIM_PYTHON chose it; code using ${runtime.slice(6)}-only features will fail. Unset it or point it at a Python ${runtime.slice(6)}.`);
    expect(warning).not.toContain("was found");
  });
});
