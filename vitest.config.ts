import { defineConfig } from "vitest/config";

// Unit tests live beside the code (packages/*/src/**/*.test.ts); integration tests that start a
// real server and drive it with AWS SDK clients live in test/.
export default defineConfig({
  test: {
    include: ["packages/*/src/**/*.test.ts", "packages/*/bootstrap/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
