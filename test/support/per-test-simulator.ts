import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import { startTestSimulator, type TestSimulator } from "@lambda-sim/core/testing";
import type { SimulatorOptions } from "@lambda-sim/core";

/**
 * One in-process simulator per test, closed after it, and a state directory made on demand for a
 * test that restarts on the same state (removed after it). `start()` again closes the running one
 * first: a restart. Call at the top level of a test file.
 */
export function perTestSimulator(base: SimulatorOptions = {}) {
  let sim: TestSimulator | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });
  return {
    /** This test's state directory, the same on every call within it. */
    stateDir(): string {
      return (dir ??= mkdtempSync(join(tmpdir(), "lambda-sim-test-state-")));
    },
    async start(opts: SimulatorOptions = {}): Promise<TestSimulator> {
      await sim?.close();
      sim = await startTestSimulator({ ...base, ...opts });
      return sim;
    },
    /** The running simulator (start() first). */
    get current(): TestSimulator {
      if (sim === undefined) throw new Error("perTestSimulator: start() first");
      return sim;
    },
  };
}
