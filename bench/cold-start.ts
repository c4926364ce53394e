// Cold-start figures shared by bench/invoke and bench/python: new environment to first response,
// each beside a bare interpreter start measured in the same run.
//
//   ready sandbox   cold starts spread out (a pause before each), as they are in real use: the
//                   sandbox pool (README "Cold starts") has a pre-started sandbox waiting
//   back to back    one cold start right after the other: each finds the pool's sandbox still
//                   starting (refilled after the previous Init), or none
//   burst of 4      4 cold starts at once: one may get a sandbox, the others start from nothing;
//                   beside 4 bare interpreter starts at once
//   no pool         a simulator started with LAMBDA_SIM_SANDBOX_POOL=0: the whole start chain
//                   (setpriv, unshare, mount, interpreter, bootstrap) on the critical path
import { spawn, spawnSync } from "node:child_process";
import { median } from "./support.ts";

export const BURST = 4;

/** The function names one mode needs (each cold start needs a function never started before). */
export function coldNames(prefix: string, n: number): string[] {
  return ["ready", "seq", "burst"].flatMap((mode) => Array.from({ length: n }, (_, i) => `${prefix}-${mode}-${i}`));
}

export interface ColdFigures {
  ready: number;
  backToBack: number;
  burst: number;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function timed(call: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await call();
  return performance.now() - t0;
}

/** Median cold starts of `n` never-started functions per mode; `gapMs` lets the pool refill. */
export async function coldStarts(invoke: (name: string) => Promise<unknown>, prefix: string, n: number, gapMs: number): Promise<ColdFigures> {
  const ready = await spreadColdStarts(invoke, prefix, n, gapMs);
  await pause(gapMs);
  const seq: number[] = [];
  for (let i = 0; i < n; i++) seq.push(await timed(() => invoke(`${prefix}-seq-${i}`)));
  const burst: number[] = [];
  for (let i = 0; i + BURST <= n; i += BURST) {
    await pause(gapMs);
    burst.push(...(await Promise.all(Array.from({ length: BURST }, (_, j) => timed(() => invoke(`${prefix}-burst-${i + j}`))))));
  }
  return { ready, backToBack: median(seq), burst: median(burst) };
}

/** Median of `n` cold starts with `gapMs` before each (the "ready" functions of `prefix`). */
export async function spreadColdStarts(invoke: (name: string) => Promise<unknown>, prefix: string, n: number, gapMs: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    await pause(gapMs);
    times.push(await timed(() => invoke(`${prefix}-ready-${i}`)));
  }
  return median(times);
}

/** Median of `runs` bare starts of `command args` (start to exit), one at a time. */
export function bareStart(command: string, args: string[], runs = 11): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(command, args);
    times.push(performance.now() - t0);
    if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} failed`);
  }
  return median(times);
}

/** Median start-to-exit time of BURST bare starts at once, over `rounds` rounds. */
export async function bareBurst(command: string, args: string[], rounds = 3): Promise<number> {
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    times.push(
      ...(await Promise.all(
        Array.from({ length: BURST }, () => timed(() => new Promise((resolve) => spawn(command, args, { stdio: "ignore" }).on("exit", resolve)))),
      )),
    );
  }
  return median(times);
}

/** The figures, each beside its bare reference (`bare`: one start; `bareBurst`: BURST at once). */
export function printCold(label: string, pooled: ColdFigures, noPool: number, bare: number, bareBurstMs: number, goal: number): void {
  const row = (what: string, ms: number, ref: number, refName: string) =>
    console.log(`  ${what.padEnd(34)} ${ms.toFixed(1).padStart(7)} ms   ${(ms / ref).toFixed(2)}x ${refName}`);
  console.log(`\ncold start (new environment to first response), ${label}; goal <= ${goal}x the bare start:`);
  row("with a ready sandbox (spread out)", pooled.ready, bare, "bare");
  row("back to back (pool refilling)", pooled.backToBack, bare, "bare");
  row(`burst of ${BURST} at once`, pooled.burst, bareBurstMs, `${BURST} bare at once`);
  row("no pool (LAMBDA_SIM_SANDBOX_POOL=0)", noPool, bare, "bare");
  console.log(`  bare start to exit, one at a time: ${bare.toFixed(1)} ms; ${BURST} at once: ${bareBurstMs.toFixed(1)} ms`);
}
