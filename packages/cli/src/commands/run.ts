import type { Command } from "commander";

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
    .action(async (file: string, opts: { seed?: string; trace?: string }) => {
      // Loaded when run: registering the command must not load the simulator for every command.
      const { runScenario } = await import("../scenario/scenario-runner.ts");
      const r = await runScenario(file, opts);
      process.stdout.write(r.report);
      process.exitCode = r.ok ? 0 : 1;
    });
}
