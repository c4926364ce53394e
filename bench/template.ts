// What reading a SAM template costs beside reading the equivalent lambda-sim.yaml: the translation
// alone (in process), and `lambda-sim start` until /_sim/health answers (in its own process).
//   node bench/template.ts
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { apiGatewaySource, createSchedulesSource, kinesisSource, snsSource, sqsSource } from "@lambda-sim/sources";
import { loadConfig } from "../packages/cli/src/config/load-config.ts";
import { loadTemplate } from "../packages/cli/src/template/load-template.ts";
import { startSimulator } from "./support.ts";

const TEMPLATE = fileURLToPath(new URL("../examples/sam-app/template.yaml", import.meta.url));
const NATIVE = fileURLToPath(new URL("../examples/lambda-sim.yaml", import.meta.url));
const sources = [sqsSource, kinesisSource, createSchedulesSource(), snsSource, apiGatewaySource];
const codeRoot = mkdtempSync(join(tmpdir(), "lambda-sim-bench-template-"));

async function median(runs: number, f: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await f();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const runs = 50;
await loadTemplate(TEMPLATE, { sources, endpoint: "http://127.0.0.1:3001", codeRoot });
await loadConfig(NATIVE, sources);
const template = await median(runs, () => loadTemplate(TEMPLATE, { sources, endpoint: "http://127.0.0.1:3001", codeRoot }));
const native = await median(runs, () => loadConfig(NATIVE, sources));
console.log(`load and validate, median of ${runs}:`);
console.log(`  examples/sam-app/template.yaml (11 resources): ${template.toFixed(2)} ms`);
console.log(`  examples/lambda-sim.yaml (reference):          ${native.toFixed(2)} ms`);

async function startup(args: string[]): Promise<number> {
  const t0 = performance.now();
  const { child } = await startSimulator([], [...args, "--in-memory"]);
  const ms = performance.now() - t0;
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
  return ms;
}
const starts = 5;
const templateStart = await median(starts, () => startup(["--template", TEMPLATE]));
const nativeStart = await median(starts, () => startup(["--config", NATIVE]));
console.log(`lambda-sim start until healthy, median of ${starts}:`);
console.log(`  --template examples/sam-app/template.yaml: ${templateStart.toFixed(0)} ms`);
console.log(`  --config examples/lambda-sim.yaml (reference): ${nativeStart.toFixed(0)} ms`);
