import { busyPoll, DEFAULT_BUSY_POLL_US, functionUrlAddress, Simulator, stopwatch, type ClockKind, type TelemetryEvent, type TimerHandle } from "@lambda-sim/core";
import type { ApiView, FunctionUrlView, ScheduleView } from "@lambda-sim/sources";
import { applyTemplate, explainStartError, loadStartConfig, type ConfigChoice, type StartConfig } from "../template/start-config.ts";
import type { LoadedConfig } from "../config/load-config.ts";
import { arnReferenceProblems } from "../config/arn-references.ts";
import { accountSettings, allSources, functionStateTimes } from "../config/simulator-settings.ts";
import { endpointArg } from "../client/endpoint.ts";
import { describeEvent, mayBeNotable, paint } from "../console/event-line.ts";
import { DashboardViews } from "../dashboard/dashboard-views.ts";
import { simToken } from "@lambda-sim/core/sim-token";
import { settleHeap } from "./start-heap.ts";
import { CodeWatcher } from "./code-watcher.ts";
import { cliName } from "./cli-name.ts";
import { releaseCompileCache } from "./start-compile-cache.ts";
import { suggestedInvoke, suggestedInvokeLine, type BusFeeds, type SuggestedInvoke, type TopicFeeds } from "./suggested-invoke.ts";
import { logicalIdOf } from "../template/logical-names.ts";

export interface StartOptions extends ConfigChoice {
  timeScale: number;
  clock?: ClockKind;
  seed?: string;
  auth?: boolean;
  catchUp?: boolean;
  asyncConcurrency?: number;
  /** No line per notable event (throttles, redrives, retries); function logs and warnings stay. */
  quiet?: boolean;
  /** µs the event loop keeps polling after handing out an event or an answer (core's busy-poll.ts). */
  busyPoll?: number;
  /** Deploy a declared function's edited code on save (code-watcher.ts). */
  watch?: boolean;
}

/** One line per Function URL: its host-form address (as GetFunctionUrlConfig gives it) and path form. */
function functionUrlLines(sim: Simulator): string {
  return sim.functionUrls
    .all()
    .map((u) => {
      const name = u.qualifier === undefined ? u.functionName : `${u.functionName}:${u.qualifier}`;
      return `  function URL ${name}: ${functionUrlAddress(u.urlId, sim.registry.region, sim.endpoint)}  (or ${sim.endpoint}/_aws/lambda-url/${u.urlId}/)\n`;
    })
    .join("");
}

/**
 * `lambda-sim start`: load and validate the config, open the state directory, serve, and stop
 * every environment and close the database on SIGINT/SIGTERM.
 */
export async function startCommand(opts: StartOptions): Promise<void> {
  // The simulator's modules are loaded (this module's imports): their compile cache entries are not needed again.
  releaseCompileCache();
  const sources = allSources({ catchUp: opts.catchUp });
  // lambda-sim.yaml, or a SAM/CloudFormation template translated into the same config.
  const config = await loadStartConfig(opts, sources);
  const dashboardViews = new DashboardViews();
  busyPoll.configure(opts.busyPoll ?? DEFAULT_BUSY_POLL_US);
  const sim = await Simulator.start({
    port: opts.port,
    host: opts.host,
    stateDir: opts.inMemory ? undefined : opts.state,
    timeScale: opts.timeScale,
    // Started where a previous run on the state left service time, if later (core's service-clock.ts).
    clock: opts.clock,
    faults: config?.faults,
    seed: opts.seed,
    asyncConcurrency: opts.asyncConcurrency,
    auth: opts.auth,
    credentials: opts.auth ? authCredentials(config) : undefined,
    region: config?.region,
    accountId: config?.accountId,
    functions: config?.functions,
    layers: config?.layers,
    sources,
    sourceConfig: config?.sources,
    eventSourceMappings: config?.eventSourceMappings,
    // Before start, so warnings from starting (schedules missed while down, say) are printed, and
    // the dashboard's views count the events of starting (async retries run at once, say).
    onTelemetry: both(consolePrinter(opts.quiet === true, process.stdout.isTTY === true && process.env.NO_COLOR === undefined), dashboardViews.note),
    account: config && accountSettings(config.account),
    functionStates: functionStateTimes(config?.functionStates),
    removeOnClose: config?.removeOnClose,
    declaredCodeRoots: config?.declaredCodeRoots,
    // The file's own-account ARNs name something declared or created through the API (a redrive
    // target naming nothing left a poison message redelivered for ever: issue 13).
    stateProblems: config?.arnReferences?.length ? (names) => arnReferenceProblems(config.arnReferences!, names) : undefined,
  }).catch((e: unknown) => {
    throw explainStartError(e, config);
  });
  dashboardViews.addTo(sim.hub);
  sim.simApi.use(async () => (await import("../dashboard/mount-dashboard.ts")).dashboardRouter());
  // The page's own files load without the token (a browser cannot attach one to <script src>); what they fetch wants it.
  sim.simApi.allowAnonymous("/_sim/ui");
  const templateLines = await applyTemplate(sim, config);
  const functions = sim.registry.listFunctionNames();
  // A view whose source is absent is undefined; a failing one answers { error } (event-hub.ts).
  const list = <T>(name: string) => {
    const v = sim.hub.view(name);
    return Array.isArray(v) ? (v as T[]) : undefined;
  };
  const suggestion = suggestedInvoke({
    functions,
    mappings: list<{ functionName: string }>("mappings"),
    schedules: list<ScheduleView>("schedules"),
    apis: list<ApiView>("apis"),
    functionUrls: list<FunctionUrlView>("functionUrls"),
    topics: list<TopicFeeds>("topics"),
    buses: (sim.hub.view("buses") as { list?: BusFeeds[] } | undefined)?.list,
  });
  const watcher = opts.watch === true ? await watchCode(sim, config) : undefined;
  const out = process.stdout;
  // Handlers before the banner: a Ctrl-C right after "listening on" would otherwise find none and
  // kill the process without closing the database.
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    out.write(`\n${signal}: stopping environments and closing the database\n`);
    void Promise.resolve(watcher?.close())
      .then(() => (dashboardViews.close(), sim.close()))
      .then(() => process.exit(0));
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  // Start-up's garbage collected before anyone is told to send requests.
  settleHeap();
  // The suggested commands as they run when pasted into the user's shell (cli-name.ts).
  const cli = cliName();
  // One write, so a script waiting for "listening on" sees the whole banner.
  out.write(
    `lambda-sim listening on ${sim.endpoint}\n` +
      `  state: ${opts.inMemory ? "in memory" : opts.state}${opts.timeScale !== 1 ? `, time scale ${opts.timeScale}x` : ""}${opts.clock === "virtual" ? `, virtual clock (move it with \`${cli} clock advance 5m${endpointArg(sim.endpoint)}\`)` : ""}\n` +
      `  functions (${functions.length}): ${functionList(functions)}\n` +
      (config?.notes ?? []).map((n) => `  ${n}\n`).join("") +
      templateLines +
      apiLines(sim.hub.view("apis") as ApiView[] | undefined) +
      functionUrlLines(sim) +
      (watcher === undefined ? "" : `  watching ${watcher.folders.length} code folder(s): a save deploys the function's new code\n`) +
      `  dashboard: ${sim.endpoint}/_sim/ui${dashboardToken(opts, config)}   events: ${cli} tail${endpointArg(sim.endpoint)}\n` +
      tryLine(suggestedInvokeLine(asWritten(suggestion, config), endpointArg(sim.endpoint), cli)) +
      `  AWS tools: eval "$(${cli} env${endpointArg(sim.endpoint)})"\n`,
  );
}

/**
 * `--watch`: the declared functions' folders watched; a changed function's AutoPublishAlias (a
 * template's) publishes and moves on, as the deploy `sam sync --watch` makes would.
 */
async function watchCode(sim: Simulator, config: StartConfig | undefined): Promise<CodeWatcher> {
  const template = config?.template;
  const watcher = new CodeWatcher(sim, {
    say: (line) => print(`${line}\n`),
    readOnly: config?.unpackedCode ?? [],
    configFiles: config?.configFiles ?? [],
    afterChange: async (name) => {
      const republish = template?.actions.filter((a) => a.kind === "publish-alias" && a.functionName === name) ?? [];
      if (republish.length === 0) return;
      const { applyTemplateActions } = await import("../template/template-actions.ts");
      const problems = await applyTemplateActions(sim.endpoint, template!.file, republish, sim.functionUrls, true);
      for (const problem of problems) print(`watch: ${problem}\n`);
      // What the deploy did, as sam sync says it (newuser11 N1-8): the alias's traffic runs the new version.
      for (const a of republish) {
        const alias = a.kind === "publish-alias" ? sim.registry.get(name).aliases.get(a.alias) : undefined;
        const provisioned = a.kind === "publish-alias" && a.provisioned !== undefined ? ` (${a.provisioned} provisioned environment(s) initialising on it)` : "";
        if (alias !== undefined && problems.length === 0) print(`watch: ${name}: published version ${alias.functionVersion}, alias ${alias.name} → ${alias.functionVersion}${provisioned}\n`);
      }
    },
  });
  await watcher.start();
  return watcher;
}

/** The banner's `try:` line, or none when no function can be invoked with a payload it accepts. */
function tryLine(command: string | undefined): string {
  return command === undefined ? "" : `  try: ${command}\n`;
}

/** Our choice: the banner names this many functions at most, so it stays a few lines whatever the state holds. */
const BANNER_FUNCTIONS = 12;

function functionList(functions: string[]): string {
  if (functions.length === 0) return "none yet (create some with the AWS CLI or SDK)";
  if (functions.length <= BANNER_FUNCTIONS) return functions.join(", ");
  return `${functions.slice(0, BANNER_FUNCTIONS).join(", ")} and ${functions.length - BANNER_FUNCTIONS} more (aws lambda list-functions)`;
}

/** One line per API stage: its base address, path form and host form. */
function apiLines(apis: ApiView[] | undefined): string {
  if (apis === undefined || apis.length === 0) return "";
  const lines = apis.flatMap((a) => a.stages.map((s) => `    ${a.name} (${a.protocolType === "REST" ? "REST API" : "HTTP API"}, stage ${s.stage}): ${s.url}  or  ${s.hostUrl}\n`));
  return `  APIs (${apis.length}):\n${lines.join("")}`;
}

/**
 * With --auth, the dashboard's address carries the /_sim token (derived from the first key: it
 * opens the simulator's own API, not the AWS APIs) in its fragment, which the page keeps.
 * `tail` and `clock` derive the same token from LAMBDA_SIM_SECRET_ACCESS_KEY themselves.
 */
function dashboardToken(opts: StartOptions, config: LoadedConfig | undefined): string {
  const first = opts.auth ? authCredentials(config)[0] : undefined;
  return first === undefined ? "" : `#token=${simToken(first.secretAccessKey)}`;
}

/** `--auth`'s keys: LAMBDA_SIM_ACCESS_KEY_ID / LAMBDA_SIM_SECRET_ACCESS_KEY first, then lambda-sim.yaml's `auth.credentials`. */
function authCredentials(config: LoadedConfig | undefined): { accessKeyId: string; secretAccessKey: string }[] {
  const env = process.env;
  const fromEnv = env.LAMBDA_SIM_ACCESS_KEY_ID && env.LAMBDA_SIM_SECRET_ACCESS_KEY ? [{ accessKeyId: env.LAMBDA_SIM_ACCESS_KEY_ID, secretAccessKey: env.LAMBDA_SIM_SECRET_ACCESS_KEY }] : [];
  return [...fromEnv, ...(config?.credentials ?? [])];
}

/**
 * Function output and warnings on the console. Writes to a pipe are synchronous system calls, so
 * lines are gathered and written at most once per PRINT_EVERY_MS (and at exit): once per turn of
 * the event loop was still one write per invocation for a lone caller, about a twentieth of the
 * simulator's CPU per warm invocation (issue 16).
 */
const PRINT_EVERY_MS = 16;
/** Written at once past this size, so a flood of output is never held in memory. */
const PRINT_MAX_PENDING = 64 * 1024;
let pending = "";
let timer: TimerHandle | undefined;

function print(text: string): void {
  pending += text;
  if (pending.length >= PRINT_MAX_PENDING) return flushPrinted();
  timer ??= stopwatch.after(PRINT_EVERY_MS, flushPrinted);
}

function flushPrinted(): void {
  timer?.cancel();
  timer = undefined;
  if (pending === "") return;
  const out = pending;
  pending = "";
  process.stdout.write(out);
}
// Written at exit, before the process ends: to a file or terminal synchronously; a pipe may drop
// what it cannot take at once (Node writes pipes asynchronously on POSIX).
process.on("exit", flushPrinted);

/**
 * The console: function output with its prefix, warnings on stderr, and one line per notable event
 * (a throttle and who hit it, a redrive and why, an async retry or destination, a mapping scaling
 * up or backing off) unless `quiet`.
 */
function consolePrinter(quiet: boolean, colour: boolean): (e: TelemetryEvent) => void {
  return (e) => {
    printEvent(e);
    if (quiet || !mayBeNotable(e.type) || e.type === "simulator.warning" || e.type === "async.delivery-failed") return;
    const line = describeEvent(e);
    if (line?.notable) print(`${paint(`lambda-sim: ${line.text}`, line.colour, colour)}\n`);
  };
}

/** One listener for two: the console and the dashboard's views. */
function both(a: (e: TelemetryEvent) => void, b: (e: TelemetryEvent) => void): (e: TelemetryEvent) => void {
  return (e) => {
    a(e);
    b(e);
  };
}

function printEvent(e: TelemetryEvent): void {
  if (e.type === "function.log") {
    const text = e.text;
    // One whole line (START, END, REPORT, most output): as it is.
    if (text.length > 1 && text.indexOf("\n") === text.length - 1 && !text.includes("\r")) return print(`[${e.functionName}] ${text}`);
    // The Node runtime folds a multi-line message into one record with \r (as on AWS).
    for (const line of text.split("\n")) if (line !== "") print(`[${e.functionName}] ${line.replaceAll("\r", "\n    ")}\n`);
  } else if (e.type === "simulator.warning") {
    process.stderr.write(`lambda-sim: warning: ${e.message}\n`);
  } else if (e.type === "async.delivery-failed") {
    process.stderr.write(`lambda-sim: warning: ${e.destination} of ${e.functionName} (request ${e.requestId}) not delivered to ${e.targetArn}: ${e.error}\n`);
  }
}

/**
 * A template's function by its logical id (`invoke` looks it up): the generated name holds the
 * stack's, the folder's, so a colleague's clone would print another (review: the `try:` line).
 */
function asWritten(s: SuggestedInvoke | undefined, config: StartConfig | undefined): SuggestedInvoke | undefined {
  return s === undefined ? undefined : { ...s, functionName: logicalIdOf(config?.template?.names, ["function"], s.functionName) };
}
