import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

// Unit tests live beside the code (packages/*/src/**/*.test.ts); integration tests that start a
// real server and drive it with AWS SDK clients live in test/.
export default defineConfig({
  test: {
    include: ["packages/*/src/**/*.test.ts", "packages/*/bootstrap/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // Most of the suite's time is spent waiting (real processes, wall-clock backoffs, browsers):
    // vitest's default, one worker per core less one, ran the files one at a time on a 2-core CI
    // machine with its CPU half idle (13 min 54 s). Three at least.
    maxWorkers: Math.max(3, availableParallelism()),
  },
});
