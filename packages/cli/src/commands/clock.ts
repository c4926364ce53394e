import { type Command, InvalidArgumentError } from "commander";
import { parseDuration } from "./duration.ts";
import { endpointOption, resolveEndpoint } from "../client/endpoint.ts";
import { ClientError } from "../client/client-error.ts";
import { simAuthHeaders, tokenOption, unauthorizedHint } from "../client/sim-auth.ts";

/**
 * `lambda-sim clock`: the `/_sim/clock` API of a running simulator from the shell. `clock` shows
 * service time and pending timers; `clock advance 2m` (or `--to ISO`) and `clock run-until-idle`
 * move a virtual clock; `clock pause` / `clock resume` stop and restart a wall clock.
 */
export function registerClockCommand(program: Command): void {
  const clock = program.command("clock").description("show or move the service clock of a running simulator");
  // `lambda-sim clock` alone shows it; the subcommands carry --endpoint (a parent option would take it from them).
  clock
    .command("show", { isDefault: true })
    .description("service time, pending timers and the next due")
    .addOption(endpointOption())
    .addOption(tokenOption())
    .action(async (opts: Target) => print(await call(opts, "GET", "/_sim/clock")));
  clock
    .command("advance")
    .description("move a virtual clock forward, firing every timer due on the way (2m, 90s, 1h30m, 2d)")
    .argument("[duration]", "how far to move", durationMs)
    .option("--to <time>", "move to this ISO-8601 time instead")
    .addOption(endpointOption())
    .addOption(tokenOption())
    .action(async (duration: number | undefined, opts: Target & { to?: string }) => {
      if ((duration === undefined) === (opts.to === undefined)) throw new ClientError("clock advance: give a duration (2m) or --to <ISO time>, not both");
      const body = opts.to !== undefined ? { to: opts.to } : { seconds: duration! / 1000 };
      print(await call(opts, "POST", "/_sim/clock/advance", body));
    });
  clock
    .command("run-until-idle")
    .description("fire timers on a virtual clock until no work is pending (housekeeping timers do not count)")
    .option("--max-timers <n>", "give up after this many timers", (v: string) => Number(v), 10_000)
    .option("--max-advance <duration>", "give up rather than move service time further than this (default 6h)", durationMs)
    .addOption(endpointOption())
    .addOption(tokenOption())
    .action(async (opts: Target & { maxTimers: number; maxAdvance?: number }) =>
      print(await call(opts, "POST", "/_sim/clock/run-until-idle", { maxTimers: opts.maxTimers, maxAdvanceSeconds: opts.maxAdvance === undefined ? undefined : opts.maxAdvance / 1000 })),
    );
  for (const action of ["pause", "resume"] as const) {
    clock
      .command(action)
      .description(`${action} a wall clock (service timers ${action === "pause" ? "wait" : "run again"})`)
      .addOption(endpointOption())
    .addOption(tokenOption())
      .action(async (opts: Target) => print(await call(opts, "POST", `/_sim/clock/${action}`, {})));
  }
}

/** Where a clock subcommand calls: --endpoint and --token. */
interface Target {
  endpoint?: string;
  token?: string;
}

async function call(target: Target, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const endpoint = resolveEndpoint(target.endpoint);
  let res: Response;
  try {
    res = await fetch(new URL(path, endpoint), { method, headers: { "content-type": "application/json", ...simAuthHeaders(target.token) }, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ClientError(`no simulator running at ${endpoint} (start one with \`lambda-sim start --clock virtual\`, or pass --endpoint)`);
  }
  if (res.status === 401) throw new ClientError(unauthorizedHint(endpoint));
  const out = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new ClientError(String(out.message ?? res.statusText));
  return out;
}

function print(c: Record<string, unknown>): void {
  const lines = [`service time ${c.time} (${c.clock} clock${c.paused ? ", paused" : ""})`];
  if (c.from !== undefined) lines.push(`moved from ${c.from}, fired ${c.timersFiredNow} timer(s)`);
  if (c.clock === "virtual") {
    lines.push(`pending timers: ${c.pendingTimerCount} (${c.pendingWorkCount} work, the rest housekeeping)${c.nextDue ? `, next due ${c.nextDue}` : ""}`);
    for (const t of (c.pendingTimers as { label: string; due: string; housekeeping?: boolean }[]).slice(0, 10)) lines.push(`  ${t.due}  ${t.label}${t.housekeeping ? "  (housekeeping)" : ""}`);
    const holds = c.activeHolds as string[];
    if (holds.length > 0) lines.push(`running: ${holds.join(", ")}`);
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}

/** A duration argument (90s, 2m, 1h30m, 2d) as milliseconds. */
function durationMs(v: string): number {
  const ms = parseDuration(v);
  if (ms === undefined) throw new InvalidArgumentError("expected a duration such as 90s, 2m, 1h30m or 2d.");
  return ms;
}
