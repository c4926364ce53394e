import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { ClientError } from "../client/client-error.ts";

/**
 * `lambda-sim run SCENARIO.yaml`: runs a scenario on the virtual clock, prints its report, and
 * exits 1 when an expectation fails (so CI can hold a reproduced bug fixed).
 */
export function registerRunCommand(program: Command): void {
  program
    .command("run")
    .description("run a scenario (architecture, traffic, faults, expectations) on the virtual clock and report")
    .argument("<scenario>", "SCENARIO.yaml")
    .option("--seed <seed>", "seed for every random choice (overrides the scenario's)")
    .option("--trace <file>", "write every telemetry event as JSON lines")
    .option("--logs", "print the functions' log lines ([function] line) as the run makes them, before the report")
    .action(async (file: string, opts: { seed?: string; trace?: string; logs?: boolean }) => {
      if (opts.trace !== undefined) checkTraceFile(opts.trace);
      // Loaded when run: registering the command must not load the simulator for every command.
      const { runScenario } = await import("../scenario/scenario-runner.ts");
      const r = await runScenario(file, { seed: opts.seed, trace: opts.trace, onLog: opts.logs ? (lines) => process.stdout.write(lines) : undefined });
      process.stdout.write(r.report);
      process.exitCode = r.ok ? 0 : 1;
    });
}

/**
 * The trace file is created before anything runs, so a path that cannot be written (`--trace
 * out/run.jsonl` before `mkdir out`) is one line and exit 1, not a stack trace after the start.
 */
function checkTraceFile(file: string): void {
  try {
    writeFileSync(file, "");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const hint = err.code === "ENOENT" ? ": its folder does not exist" : err.code === "EISDIR" ? ": it is a folder" : err.code === "EACCES" || err.code === "EPERM" || err.code === "EROFS" ? ": not allowed to write it" : "";
    throw new ClientError(`--trace ${file}: cannot write the trace file${hint} (${err.code ?? err.message})`);
  }
}
