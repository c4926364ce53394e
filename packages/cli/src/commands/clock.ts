import { type Command, InvalidArgumentError } from "commander";
import { parseDuration } from "./duration.ts";
import { endpointOption, resolveEndpoint } from "../client/endpoint.ts";
import { ClientError } from "../client/client-error.ts";
import { simRequest } from "../client/sim-request.ts";
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
    .option("--timeout <duration>", "give up when the simulator has not answered after this long (it is busy)", durationMs, QUICK_TIMEOUT_MS)
    .option("--all", ALL_HELP)
    .addOption(endpointOption())
    .addOption(tokenOption())
    // `clock frobnicate` reaches the default command as an argument: said as the unknown subcommand it is.
    .allowExcessArguments(true)
    .action(async (opts: Target, cmd: Command) => {
      if (cmd.args.length > 0) throw new ClientError(`clock: unknown subcommand '${cmd.args[0]}' (expected ${SUBCOMMANDS})`);
      print(await call(opts, "GET", "/_sim/clock"), opts.all);
    });
  clock
    .command("advance")
    .description("move a virtual clock forward, firing every timer due on the way (2m, 90s, 1h30m, 2d)")
    .argument("[duration]", "how far to move", durationMs)
    .option("--to <time>", "move to this ISO-8601 time instead", isoTime)
    .option("--timeout <duration>", "give up when the simulator has not answered after this long (default: wait for the advance to end; giving up stops it where it got to)", durationMs)
    .option("--all", ALL_HELP)
    .addOption(endpointOption())
    .addOption(tokenOption())
    .action(async (duration: number | undefined, opts: Target & { to?: string }) => {
      if (duration === undefined && opts.to === undefined) throw new ClientError("clock advance: give a duration (2m, 90s, 1h30m) or --to <ISO-8601 time>");
      if (duration !== undefined && opts.to !== undefined) throw new ClientError("clock advance: give a duration (2m) or --to <ISO time>, not both");
      const body = opts.to !== undefined ? { to: opts.to } : { seconds: duration! / 1000 };
      print(await call(opts, "POST", "/_sim/clock/advance", body), opts.all);
    });
  clock
    .command("run-until-idle")
    .description("fire timers on a virtual clock until no work is pending (housekeeping timers do not count)")
    .option("--max-timers <n>", "give up after this many timers", (v: string) => Number(v), 10_000)
    .option("--max-advance <duration>", "give up rather than move service time further than this (default 6h)", durationMs)
    .option("--timeout <duration>", "give up when the simulator has not answered after this long (default: wait; giving up stops it where it got to)", durationMs)
    .option("--all", ALL_HELP)
    .addOption(endpointOption())
    .addOption(tokenOption())
    .action(async (opts: Target & { maxTimers: number; maxAdvance?: number }) =>
      print(await call(opts, "POST", "/_sim/clock/run-until-idle", { maxTimers: opts.maxTimers, maxAdvanceSeconds: opts.maxAdvance === undefined ? undefined : opts.maxAdvance / 1000 }), opts.all),
    );
  for (const action of ["pause", "resume"] as const) {
    clock
      .command(action)
      .description(`${action} a wall clock (service timers ${action === "pause" ? "wait" : "run again"})`)
      .option("--timeout <duration>", "give up when the simulator has not answered after this long (it is busy)", durationMs, QUICK_TIMEOUT_MS)
      .addOption(endpointOption())
    .addOption(tokenOption())
      .action(async (opts: Target) => print(await call(opts, "POST", `/_sim/clock/${action}`, {})));
  }
}

/** Where a clock subcommand calls: --endpoint and --token, and how long to wait for the answer. */
interface Target {
  endpoint?: string;
  token?: string;
  timeout?: number;
  all?: boolean;
}

const ALL_HELP = "list the simulator's housekeeping timers too (long-poll ends, retention trims), not only the work due";
/** Pending timers listed: the next ones due. */
const LISTED = 10;

/** How long `clock`, `pause` and `resume` wait: they answer at once unless the simulator is busy. */
const QUICK_TIMEOUT_MS = 10_000;
/** When a move that has not answered yet says why the wait (it goes on waiting). */
const SLOW_NOTICE_MS = 10_000;

async function call(target: Target, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const endpoint = resolveEndpoint(target.endpoint);
  const moving = method === "POST" && (path.endsWith("/advance") || path.endsWith("/run-until-idle"));
  const res = await simRequest(new URL(path, endpoint), method, {
    headers: simAuthHeaders(target.token),
    body,
    timeoutMs: target.timeout,
    slowMs: SLOW_NOTICE_MS,
    onGiveUp: moving ? "this call gave up, so its move stops where it got to (or never starts)" : undefined,
    onSlow: moving
      ? () =>
          process.stderr.write(
            `lambda-sim: the simulator at ${endpoint} is still moving service time (every timer on the way fires, ` +
              `after any advance already running); waiting. Ctrl-C stops this one where it got to.\n`,
          )
      : undefined,
  });
  if (res.status === 401) throw new ClientError(unauthorizedHint(endpoint));
  if (res.status < 200 || res.status > 299) throw new ClientError(String(res.json.message ?? `HTTP ${res.status}`));
  return res.json;
}

/**
 * The clock as a person reads it: the work due next (a visibility timeout, a retry, a schedule),
 * without the simulator's housekeeping timers that come due every few seconds and buried it on a
 * projector (newuser14 F17); `--all` lists those too.
 */
function print(c: Record<string, unknown>, all = false): void {
  const lines = [`service time ${c.time} (${c.clock} clock${c.paused ? ", paused" : ""})`];
  if (c.from !== undefined) lines.push(`moved from ${c.from}, fired ${c.timersFiredNow} timer(s)`);
  if (c.clock === "virtual") {
    lines.push(`pending timers: ${c.pendingTimerCount} (${c.pendingWorkCount} work, the rest housekeeping${all ? "" : ": --all lists them"})${c.nextDue ? `, next due ${c.nextDue}` : ""}`);
    const timers = (c.pendingTimers as { label: string; due: string; housekeeping?: boolean }[]).filter((t) => all || t.housekeeping !== true);
    for (const t of timers.slice(0, LISTED)) lines.push(`  ${t.due}  ${t.label}${t.housekeeping ? "  (housekeeping)" : ""}`);
    const holds = c.activeHolds as string[];
    if (holds.length > 0) lines.push(`running: ${holds.join(", ")}`);
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}

const SUBCOMMANDS = "show, advance, run-until-idle, pause or resume";

/** `--to`: a time the simulator's clock API takes, checked here so the error names the flag. */
function isoTime(v: string): string {
  if (!/^\d{4}-\d{2}-\d{2}T/.test(v) || Number.isNaN(Date.parse(v))) throw new InvalidArgumentError(`expected an ISO-8601 time such as 2026-06-01T14:00:00Z, got '${v}'.`);
  return v;
}

/** A duration argument (90s, 2m, 1h30m, 2d) as milliseconds. */
function durationMs(v: string): number {
  const ms = parseDuration(v);
  if (ms === undefined) throw new InvalidArgumentError("expected a duration such as 90s, 2m, 1h30m or 2d.");
  return ms;
}
