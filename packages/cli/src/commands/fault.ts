import { type Command, InvalidArgumentError } from "commander";
import { parseDuration } from "./duration.ts";
import { endpointOption, resolveEndpoint } from "../client/endpoint.ts";
import { ClientError } from "../client/client-error.ts";
import { simRequest } from "../client/sim-request.ts";
import { simAuthHeaders, tokenOption, unauthorizedHint } from "../client/sim-auth.ts";
import { faultState } from "../dashboard/page/fault-state.js";

/**
 * `lambda-sim fault`: the `/_sim/faults` API of a running simulator from the shell, so that a
 * workshop's "now fail the next three" is one short line on a projector rather than a curl with
 * JSON (newuser14 F7). `fault` lists the faults with their counters; `fault add KIND --function F
 * --nth 3` adds one, its options the API's keys in kebab-case (or the JSON the API takes);
 * `fault clear [ID]` removes one or all. The simulator checks every value and name, as for the API.
 */
export function registerFaultCommand(program: Command): void {
  const fault = program.command("fault").description("add, list or clear the injected faults of a running simulator");
  fault
    .command("list", { isDefault: true })
    .description("the faults, their scope and counters, and whether they still fire")
    .addOption(endpointOption())
    .addOption(tokenOption())
    // `fault frobnicate` reaches the default command as an argument: said as the unknown subcommand it is.
    .allowExcessArguments(true)
    .action(async (opts: Target, cmd: Command) => {
      if (cmd.args.length > 0) throw new ClientError(`fault: unknown subcommand '${cmd.args[0]}' (expected list, add or clear)`);
      const [{ faults }, clock] = await Promise.all([call(opts, "GET", "/_sim/faults"), call(opts, "GET", "/_sim/clock")]);
      const list = faults as FaultView[];
      if (list.length === 0) process.stdout.write("no faults\n");
      for (const f of list) process.stdout.write(`${describe(f, Date.parse(String(clock.time)))}\n`);
    });
  fault
    .command("add")
    .description("add a fault: KIND is error, timeout, crash, out-of-memory, latency, slow-cold-start, throttle or delivery-failure; or give the JSON object (or list) POST /_sim/faults takes")
    .argument("<kind-or-json>", "the fault's kind, or its JSON")
    .option("--function <name>", "the function (name, ARN or a template's logical id)")
    .option("--qualifier <alias-or-version>", "only invocations of this alias or version")
    .option("--source <source>", "only invocations by mappings reading this source (sqs:orders, kinesis:clicks)")
    .option("--mapping <uuid>", "only invocations by this event source mapping")
    .option("--payload-contains <text>", "only invocations whose payload contains this text (a poison record)")
    .option("--nth <n[,n...]>", "fire on these matching invocations only, counted from 1 (3, or 1,2)", nthList)
    .option("--attempt <n[,n...]>", "only these attempts of each event: an async event's invocation, an SQS message's receive (1, or 1,2)", nthList)
    .option("--fraction <0-1>", "fire on this fraction of matching invocations (seeded)", number)
    .option("--times <n>", "fire at most this many times", number)
    .option("--after <duration>", "become active after this much service time (30s, 2m)", seconds)
    .option("--for <duration>", "stay active for this much service time, then end (10m)", seconds)
    .option("--error-type <type>", "error: the errorType the caller sees (default Error)")
    .option("--error-message <text>", "error: the errorMessage (default 'injected fault')")
    .option("--ms <milliseconds>", "latency, slow-cold-start: how long the invocation is held", number)
    .option("--reason <reason>", "throttle: the TooManyRequestsException's Reason (default ConcurrentInvocationLimitExceeded)")
    .option("--target <destination>", "delivery-failure: the destination or DLQ whose deliveries fail (sqs:NAME, sns:NAME, lambda:NAME, events:BUS or an ARN)")
    .option("--message <text>", "delivery-failure: the failure's message")
    .addOption(endpointOption())
    .addOption(tokenOption())
    .action(async (kindOrJson: string, opts: Target & Record<string, unknown>) => {
      const answer = await call(opts, "POST", "/_sim/faults", body(kindOrJson, opts));
      const added = (Array.isArray(answer.faults) ? answer.faults : [answer]) as FaultView[];
      for (const f of added) {
        process.stdout.write(`added ${describe(f)}\n`);
        if (f.warning !== undefined) process.stderr.write(`lambda-sim: warning: ${f.warning}\n`);
      }
    });
  fault
    .command("clear")
    .description("remove a fault by its id (fault-3), or every fault")
    .argument("[id]", "the fault's id; without it, every fault")
    .addOption(endpointOption())
    .addOption(tokenOption())
    .action(async (id: string | undefined, opts: Target) => {
      const r = await call(opts, "DELETE", id === undefined ? "/_sim/faults" : `/_sim/faults/${encodeURIComponent(id)}`);
      process.stdout.write(`cleared ${r.cleared} fault(s)\n`);
    });
}

interface Target {
  endpoint?: string;
  token?: string;
}

interface FaultView {
  id: string;
  kind: string;
  warning?: string;
  function?: string;
  qualifier?: string;
  source?: string;
  mapping?: string;
  target?: string;
  payloadContains?: string;
  nth?: number | number[];
  attempt?: number | number[];
  fraction?: number;
  times?: number;
  activeFrom: string;
  activeUntil: string | null;
  matched: number;
  fired: number;
}

/** The options that are the API's keys, written in kebab-case on the command line. */
const KEYS = ["function", "qualifier", "source", "mapping", "payloadContains", "nth", "attempt", "fraction", "times", "errorType", "errorMessage", "ms", "reason", "target", "message"] as const;

/** POST /_sim/faults's body: the JSON given, or the kind with the options given. */
function body(kindOrJson: string, opts: Record<string, unknown>): unknown {
  if (/^\s*[[{]/.test(kindOrJson)) {
    const given = [...KEYS, "after", "for"].find((k) => opts[k] !== undefined);
    if (given !== undefined) throw new ClientError(`fault add: give the fault as JSON or as a kind with options, not both (--${kebab(given)})`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(kindOrJson);
    } catch (e) {
      throw new ClientError(`fault add: the JSON does not parse: ${(e as Error).message}`);
    }
    if (Array.isArray(parsed) && parsed.length === 0) throw new ClientError("fault add: the list holds no fault");
    return parsed;
  }
  const out: Record<string, unknown> = { kind: kindOrJson };
  for (const k of KEYS) if (opts[k] !== undefined) out[k] = opts[k];
  if (opts.after !== undefined) out.afterSeconds = opts.after;
  if (opts.for !== undefined) out.forSeconds = opts.for;
  return out;
}

/** One fault as a line: `fault-2 error on orders, nth 3 (PaymentDeclined): fired 1 of 2 matched, active`. */
export function describe(f: FaultView, now?: number): string {
  const scope = [
    f.function && `on ${f.function}${f.qualifier ? `:${f.qualifier}` : ""}`,
    f.source && `from ${f.source}`,
    f.mapping && `mapping ${f.mapping}`,
    f.target && `to ${f.target}`,
    f.payloadContains && `payload containing ${JSON.stringify(f.payloadContains)}`,
    f.nth !== undefined && `nth ${[f.nth].flat().join(",")}`,
    f.attempt !== undefined && `attempt ${[f.attempt].flat().join(",")}`,
    f.fraction !== undefined && `fraction ${f.fraction}`,
  ].filter(Boolean);
  const fired = f.times === undefined ? `fired ${f.fired} of ${f.matched} matched` : `fired ${f.fired} of ${f.times} (${f.matched} matched)`;
  // As the dashboard says it (page/fault-state.js); without the service time, only a spent fault is told.
  const s = faultState(f, now ?? Number.NEGATIVE_INFINITY);
  const state = s.state === "used-up" ? "used up" : now === undefined ? "" : s.state === "from" ? `from ${f.activeFrom}` : s.state === "until" ? `active until ${f.activeUntil}` : s.state;
  return `${f.id} ${f.kind}${scope.length > 0 ? ` ${scope.join(", ")}` : " on every function"}: ${fired}${state ? `, ${state}` : ""}`;
}

async function call(target: Target, method: string, path: string, payload?: unknown): Promise<Record<string, unknown>> {
  const endpoint = resolveEndpoint(target.endpoint);
  const res = await simRequest(new URL(path, endpoint), method, { headers: simAuthHeaders(target.token), body: payload, timeoutMs: 10_000 });
  if (res.status === 401) throw new ClientError(unauthorizedHint(endpoint));
  if (res.status < 200 || res.status > 299) {
    const message = String(res.json.message ?? `HTTP ${res.status}`);
    // The simulator's messages name the key (`fault.function: ...`, `faults[1]: ...`) or not (`no fault fault-9`).
    throw new ClientError(/^faults?\b/.test(message) ? message : `fault: ${message}`);
  }
  return res.json;
}

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** `--nth 3` or `--nth 1,2`: whole numbers from 1 (the simulator checks them). */
function nthList(v: string): number | number[] {
  const list = v.split(",").map((s) => Number(s.trim()));
  if (list.some((n) => !Number.isInteger(n) || n < 1)) throw new InvalidArgumentError("expected whole numbers ≥ 1, such as 3 or 1,2.");
  return list.length === 1 ? list[0]! : list;
}

/** A number option (the simulator checks its range, naming the key). */
function number(v: string): number {
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n)) throw new InvalidArgumentError("expected a number.");
  return n;
}

/** `--after 30s` / `--for 10m`: a duration, as seconds. */
function seconds(v: string): number {
  const ms = parseDuration(v);
  if (ms === undefined) throw new InvalidArgumentError("expected a duration such as 30s, 2m or 1h30m.");
  return ms / 1000;
}
