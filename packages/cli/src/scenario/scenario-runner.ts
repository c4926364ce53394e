import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { parse } from "yaml";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { FUNCTION_DEFAULTS, SimError, Simulator, stopwatch, VirtualClock, type CostView, type FaultSpec, type Source, type TelemetryEvent } from "@lambda-sim/core";
import { loadConfig } from "../config/load-config.ts";
import { accountSettings, allSources, functionStateTimes } from "../config/simulator-settings.ts";
import { applyTemplate, explainStartError, freePort, loadTemplateWithOverlay, type StartConfig } from "../template/start-config.ts";
import { checkExpectations, queuesNamed, type EndState, type ExpectationNames, type ExpectationResult } from "./expectations.ts";
import { logLines, Observations } from "./observations.ts";
import { realCodeNotes } from "./real-code-notes.ts";
import { RecordOrder } from "./record-order.ts";
import { formatReport, human } from "./scenario-report.ts";
import { ScenarioNames } from "./scenario-names.ts";
import { scenarioKeys, type Expectations, type TrafficStep } from "./scenario-schema.ts";
import { HttpTraffic } from "./http-traffic.ts";
import { awsJson, playTraffic, stepStarts, type ResolvedStep } from "./traffic.ts";

/** Every scenario starts at the same service time, so traces compare across runs and machines. */
export const SCENARIO_START = Date.UTC(2026, 0, 1);
const TIMELINE_BUCKETS = 12;

export interface ScenarioOptions {
  seed?: string;
  trace?: string;
  /** Bucket count of the report's timeline (default 12). */
  buckets?: number;
  /** `--logs`: each function log line, `[function] text`, as the run makes it (before the report). */
  onLog?: (lines: string) => void;
}

export interface ScenarioResult {
  ok: boolean;
  report: string;
  results: ExpectationResult[];
  obs: Observations;
  wallMs: number;
}

interface Scenario {
  name: string;
  description?: string;
  seed?: string | number;
  durationMs: number;
  /** Names resolved and checked when the scenario loaded (scenario-names.ts), as are `faults` and `expectationNames`. */
  traffic: ResolvedStep[];
  expect: Expectations;
  /** The simulator's name for each name `expect` writes. */
  expectationNames: ExpectationNames;
  /** A lambda-sim.yaml, or a SAM/CloudFormation template translated into the same config. */
  architecture: StartConfig;
  /** The port the simulator listens on: 0 (any), or the one a template's queue URLs were built on. */
  port: number;
  faults: FaultSpec[];
}

/**
 * `lambda-sim run SCENARIO.yaml`: the architecture on a VirtualClock, in memory, on a free port;
 * the traffic played on the clock; the clock advanced to the scenario's duration (handlers that
 * are real processes hold it while they run); then the queues measured, the expectations checked
 * and the report written. Randomness comes from one seed (the scenario's, or --seed), so a run
 * with `model` functions replays byte for byte.
 */
export async function runScenario(file: string, opts: ScenarioOptions = {}): Promise<ScenarioResult> {
  const sources = allSources();
  const s = await loadScenario(file, sources);
  const a = s.architecture;
  const removeTemporary = () => {
    for (const dir of a.removeOnClose ?? []) rmSync(dir, { recursive: true, force: true });
  };
  const seed = String(opts.seed ?? s.seed ?? 1);
  const clock = new VirtualClock(SCENARIO_START);
  // Any free port, taken by the simulator's own listen (a port chosen beforehand could be taken by
  // another process meanwhile: "already in use"); the trace writes the address as one every run
  // shares once it is known (Observations.listening).
  const port = s.port;
  let obs: Observations;
  try {
    obs = new Observations(SCENARIO_START, s.durationMs, opts.buckets ?? TIMELINE_BUCKETS, opts.trace, port === 0 ? undefined : `http://127.0.0.1:${port}`);
  } catch (e) {
    // Before the simulator that would remove them exists.
    removeTemporary();
    throw e;
  }
  const wallStart = stopwatch.now();
  const sim = await Simulator.start({
    removeOnClose: a.removeOnClose,
    port,
    clock,
    seed,
    region: a.region,
    accountId: a.accountId,
    // SNS envelopes carry an address every run shares: their bytes (and an SQS message's MD5 of them) replay as they are.
    publicEndpoint: "http://127.0.0.1:0",
    functions: a.functions,
    layers: a.layers,
    sources,
    sourceConfig: a.sources,
    eventSourceMappings: a.eventSourceMappings,
    faults: s.faults,
    onTelemetry: opts.onLog === undefined ? obs.record : withLogs(obs.record, opts.onLog),
    account: accountSettings(a.account),
    functionStates: functionStateTimes(a.functionStates),
  }).catch((e: unknown) => {
    throw explainStartError(e, a);
  });
  obs.listening(sim.endpoint);
  let end: EndState;
  // Ctrl-C or SIGTERM mid-run: the simulator closes as at the end (environments stopped, its
  // temporary directories removed), then the process ends as the signal would have ended it.
  const onSignal = (signal: NodeJS.Signals) => void sim.close().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const order = new RecordOrder();
  // Payloads are read only when an expectation needs them.
  const unobserve = s.expect.outOfOrderRecords === undefined ? () => {} : sim.invoker.observe(order.observe);
  try {
    await applyTemplate(sim, a);
    // The trace records each function's settings, a scenario's service times among them.
    const functions = (sim.hub.view("functions") as { name: string }[]).map((f) => ({ ...f, serviceTimeMs: serviceTimeOf(a, f.name) }));
    // And a template's logical ids, which the page shows beside the names they became.
    const [logicalIds, resourceIds] = [sim.hub.view("logicalIds"), sim.hub.view("resourceIds")];
    obs.views(clock.now(), { functions, account: sim.hub.view("account"), ...(logicalIds === undefined ? {} : { logicalIds }), ...(resourceIds === undefined ? {} : { resourceIds }) });
    // Queue depths for the playback's Queues table, when there is a queue to show (Observations.watchQueues).
    const queues = sim.hub.view("queues");
    if (Array.isArray(queues) && queues.length > 0) obs.watchQueues(() => sim.hub.view("queues"));
    const realCode = await realCodeNotes(sim, a, (name) => serviceTimeOf(a, name) !== undefined);
    const endAt = SCENARIO_START + s.durationMs;
    const http = s.traffic.some((step) => "http" in step) ? new HttpTraffic(sim, a.region) : undefined;
    const sent = playTraffic(sim, clock, SCENARIO_START, endAt, s.traffic, http, () => obs.sampleQueues(clock.now()));
    await clock.advanceTo(endAt);
    // The answers the fronts had finished by the end, read off their sockets.
    const answers = await http?.finish();
    // The last invocations' events may wait for the next turn of the loop (Telemetry.deferred).
    sim.telemetry.flush();
    obs.sampleQueues(clock.now());
    obs.finish();
    const declared = Object.keys((a.sources.queues as Record<string, unknown> | undefined) ?? {});
    end = { ...(await measureQueues(sim.endpoint, [...new Set([...declared, ...queuesNamed(s.expect, s.expectationNames)])])), outOfOrder: Object.fromEntries(order.outOfOrder), firstOutOfOrder: Object.fromEntries(order.first), orderChecked: s.expect.outOfOrderRecords === undefined ? undefined : order.checked, httpAnswers: answers };
    const wallMs = stopwatch.now() - wallStart;
    // The dashboard's cost panel's figure (core-views.ts), which counts from the simulator's start as the run does.
    const cost = sim.hub.view("cost") as CostView;
    const realCodeNames = new Set(a.functions.filter((f) => f.runtime !== "model").map((f) => f.functionName));
    const results = checkExpectations(s.expect, obs, end, s.expectationNames);
    const report = formatReport({ name: s.name, description: s.description, seed, durationMs: s.durationMs, wallMs, timersFired: clock.firedTimers, sent, obs, end, results, traceFile: opts.trace, realCode, cost, realCodeNames, logsShown: opts.onLog !== undefined, logicalNames: a.template?.names, timeouts: new Map(a.functions.map((f) => [f.functionName, f.timeout ?? FUNCTION_DEFAULTS.timeout])) });
    return { ok: results.every((r) => r.ok) && sent.failures.length === 0, report, results, obs, wallMs };
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    unobserve();
    await sim.close();
  }
}

async function loadScenario(file: string, sources: readonly Source<any>[]): Promise<Scenario> {
  const temporary: string[] = [];
  try {
    return await readScenario(file, sources, temporary);
  } catch (e) {
    for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

async function readScenario(file: string, sources: readonly Source<any>[], temporary: string[]): Promise<Scenario> {
  // A scenario is not a config file: a missing one is called what it is.
  if (!existsSync(resolve(file))) throw new SimError("ERR_CONFIG", `scenario file not found: ${resolve(file)}`);
  refuseEmbeddedBesideArchitecture(file);
  // Its faults name the architecture's resources: ScenarioNames checks them below, with their lines.
  const loaded = await loadConfig(file, sources, scenarioKeys, { faultReferences: false });
  const k = loaded.sources as { name?: string; description?: string; architecture?: string; parameters?: Record<string, string | number | boolean>; seed?: string | number; serviceTime?: Record<string, number>; duration: number; traffic: TrafficStep[]; expect: Expectations };
  let architecture: StartConfig = loaded;
  let port = 0;
  if (k.architecture !== undefined) {
    const named = resolve(dirname(loaded.file), k.architecture);
    // Said where it is written (a colleague's copy of the scenario without the architecture beside it).
    const where = `${loaded.file}:${loaded.lineAt(["architecture"]) ?? ""} architecture:`;
    if (!existsSync(named)) throw new SimError("ERR_CONFIG", `${where} file not found: ${named} (the path is relative to the scenario's folder)`);
    if (statSync(named).isDirectory()) throw new SimError("ERR_CONFIG", `${where} ${named} is a folder; expected a lambda-sim.yaml or a SAM template.yaml file (the path is relative to the scenario's folder)`);
    if (isTemplate(named)) {
      // Queue URLs in the template's Refs carry the port, so it is chosen before the simulator listens.
      port = await freePort("127.0.0.1");
      // A temporary code root, removed with the scenario's simulator (or here, if the scenario is refused).
      const codeRoot = mkdtempSync(join(tmpdir(), "lambda-sim-scenario-"));
      temporary.push(codeRoot);
      // With the lambda-sim.yaml beside it merged in, as `start --template` reads it (newuser9 P2-4):
      // the account limits, `sim:` settings, faults and functions a template cannot say.
      const parameterOverrides = k.parameters === undefined ? undefined : Object.fromEntries(Object.entries(k.parameters).map(([key, v]) => [key, String(v)]));
      // Their problems are said at the scenario's lines: they were written there (parameterOrigin).
      const parameterOrigin = { file: loaded.file, lineAt: loaded.lineAt, absent: k.parameters === undefined };
      const template = await loadTemplateWithOverlay(named, undefined, sources, { endpoint: `http://127.0.0.1:${port}`, codeRoot, now: SCENARIO_START, parameterOverrides, parameterOrigin });
      temporary.push(...(template.removeOnClose ?? []));
      architecture = { ...template, removeOnClose: [codeRoot, ...(template.removeOnClose ?? [])] };
    } else {
      architecture = await loadConfig(named, sources);
    }
  }
  if (k.parameters !== undefined && architecture.template === undefined) {
    throw new SimError("ERR_CONFIG", `${loaded.file}:${loaded.lineAt(["parameters"]) ?? ""} parameters: only a template architecture has parameters (architecture: template.yaml)`);
  }
  const name = k.name ?? file.split("/").at(-1)!.replace(/\.ya?ml$/, "");
  refuseStepsPastTheEnd(k.traffic, k.duration, loaded.file, loaded.lineAt);
  // Every name the scenario writes, resolved and checked now: a typo fails here, with its line.
  const names = new ScenarioNames(architecture, loaded.file, loaded.lineAt);
  const traffic = names.traffic(k.traffic);
  const faults = names.faults(loaded.faults);
  const expectationNames = names.expectations(k.expect);
  const serviceTimes = names.serviceTimes(k.serviceTime ?? {});
  names.check();
  // A named architecture's own faults (from its lambda-sim.yaml) first, then the scenario's.
  const allFaults = [...(architecture === loaded ? [] : architecture.faults), ...faults];
  const functions = architecture.functions.map((f) => (serviceTimes.has(f.functionName) ? { ...f, sim: { ...f.sim, serviceTimeMs: serviceTimes.get(f.functionName) } } : f));
  return { name, description: k.description, seed: k.seed, durationMs: k.duration, traffic, expect: k.expect, expectationNames, architecture: { ...architecture, functions }, port, faults: allFaults };
}

/**
 * A step `at:` past the scenario's duration can never run (traffic past the end is not sent), so
 * the run would pass without it: refused with its line, as other bad input is (newuser11 N2-5).
 * A step at the very end is sent (playTraffic sends shots at endAt).
 */
function refuseStepsPastTheEnd(steps: readonly TrafficStep[], durationMs: number, file: string, lineAt: (p: readonly PropertyKey[]) => number | undefined): void {
  // Where each step begins, `at:` or after the steps and waits before it (review22 R22-3).
  const starts = stepStarts(steps);
  const problems = steps.flatMap((step, i) => {
    const at = starts[i];
    if (at === undefined || at <= durationMs) return [];
    const given = "at" in step && step.at !== undefined;
    const what = given ? `traffic[${i}].at: ${human(at)} is` : `traffic[${i}]: it begins at ${human(at)} (after the steps and waits before it),`;
    return [`${file}:${lineAt(given ? ["traffic", i, "at"] : ["traffic", i]) ?? ""} ${what} past the scenario's duration of ${human(durationMs)}: the step would never run (make the duration longer, or the step earlier)`];
  });
  if (problems.length > 0) throw new SimError("ERR_CONFIG", problems.join("\n"));
}

/** The observer, and each function log record as `[function] line` lines (as `start`'s console prints them). */
function withLogs(record: (e: TelemetryEvent) => void, onLog: (lines: string) => void): (e: TelemetryEvent) => void {
  return (e) => {
    record(e);
    if (e.type !== "function.log") return;
    onLog(logLines(e.text).map((line) => `[${e.functionName}] ${line}\n`).join(""));
  };
}

function serviceTimeOf(a: StartConfig, name: string): number | undefined {
  return a.functions.find((f) => f.functionName === name)?.sim?.serviceTimeMs;
}

/** A SAM or CloudFormation template (JSON, or YAML with a top-level Resources/Transform/AWSTemplateFormatVersion), not a lambda-sim.yaml. */
function isTemplate(file: string): boolean {
  if (file.endsWith(".json")) return true;
  try {
    return /^(AWSTemplateFormatVersion|Transform|Resources)\s*:/m.test(readFileSync(file, "utf8"));
  } catch {
    return false; // loadConfig reports the missing file as it always has.
  }
}

/** Messages left in each queue, and the failed records stream mappings reported into it. */
async function measureQueues(endpoint: string, queues: string[]): Promise<Omit<EndState, "outOfOrder" | "firstOutOfOrder">> {
  const end: Omit<EndState, "outOfOrder" | "firstOutOfOrder"> = { messages: {}, failedRecords: {} };
  for (const q of queues) {
    const out = await awsJson(endpoint, "AmazonSQS.GetQueueAttributes", "1.0", { QueueUrl: `${endpoint}/000000000000/${q}`, AttributeNames: ["All"] }).catch(() => undefined);
    const at = (out?.Attributes ?? {}) as Record<string, string>;
    end.messages[q] = Number(at.ApproximateNumberOfMessages ?? 0) + Number(at.ApproximateNumberOfMessagesNotVisible ?? 0) + Number(at.ApproximateNumberOfMessagesDelayed ?? 0);
    const res = await fetch(`${endpoint}/_sim/queues/${encodeURIComponent(q)}/messages`);
    if (!res.ok) continue;
    let failed = 0;
    for (const m of (await res.json()) as { body: string }[]) {
      try {
        const body = JSON.parse(m.body) as Record<string, unknown>;
        for (const [key, info] of Object.entries(body)) if (key.endsWith("BatchInfo")) failed += Number((info as { batchSize?: number }).batchSize ?? 0);
      } catch {
        // Not an on-failure record.
      }
    }
    if (failed > 0) end.failedRecords[q] = failed;
  }
  return end;
}

/** What a scenario embeds of an architecture: with `architecture:` named, none of it. */
const ARCHITECTURE_KEYS = ["functions", "layers", "queues", "streams", "topics", "buses", "schedules", "apis", "eventSourceMappings"];

/**
 * A scenario names its architecture or embeds one, not both: said before the embedded part is
 * checked on its own, which blamed its names (newuser13 N13-5: a mapping repeated to change one
 * setting got "names no function declared under functions:" though the architecture declares it).
 */
function refuseEmbeddedBesideArchitecture(file: string): void {
  let raw: unknown;
  try {
    raw = parse(readFileSync(resolve(file), "utf8"));
  } catch {
    return; // loadConfig says what is wrong with the YAML, at its line
  }
  if (raw === null || typeof raw !== "object" || (raw as Record<string, unknown>).architecture === undefined) return;
  const embedded = ARCHITECTURE_KEYS.filter((k) => (raw as Record<string, unknown>)[k] !== undefined);
  if (embedded.length === 0) return;
  throw new SimError(
    "ERR_CONFIG",
    `${resolve(file)}: a scenario names its architecture (${String((raw as Record<string, unknown>).architecture)}) or embeds one, not both: ${embedded.map((k) => `${k}:`).join(", ")} here would not change it (to run it with other settings, copy the architecture, change them there and name the copy)`,
  );
}
