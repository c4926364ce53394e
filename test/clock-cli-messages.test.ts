import { describe, expect, it } from "vitest";
import { runCli } from "./support/lambda-sim-process.ts";

/**
 * newuser8 R5: `lambda-sim clock` says what was wrong with what the user typed, before it calls
 * any simulator: no duration nor --to, an unknown subcommand, a --to that is not a time.
 */
describe("lambda-sim clock: messages", () => {
  it("advance with neither a duration nor --to", async () => {
    const r = await runCli(["clock", "advance"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("lambda-sim: clock advance: give a duration (2m, 90s, 1h30m) or --to <ISO-8601 time>\n");
  });

  it("advance with both", async () => {
    const r = await runCli(["clock", "advance", "2m", "--to", "2026-06-01T14:00:00Z"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("lambda-sim: clock advance: give a duration (2m) or --to <ISO time>, not both\n");
  });

  it("an unknown subcommand is named as one, not as an argument of `show`", async () => {
    const r = await runCli(["clock", "frobnicate"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("lambda-sim: clock: unknown subcommand 'frobnicate' (expected show, advance, run-until-idle, pause or resume)\n");
  });

  it("--to that is not a time names the flag", async () => {
    const r = await runCli(["clock", "advance", "--to", "garbage"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error: option '--to <time>' argument 'garbage' is invalid. expected an ISO-8601 time such as 2026-06-01T14:00:00Z, got 'garbage'.");
  });
});
