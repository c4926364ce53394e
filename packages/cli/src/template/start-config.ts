import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parse } from "yaml";
import { isSimError, SimError, type MappingInput, type Simulator, type Source } from "@lambda-sim/core";
import { loadConfig, type LoadedConfig } from "../config/load-config.ts";
import type { TemplateSummary } from "./load-template.ts";
import type { StoredSchedule } from "./template-actions.ts";
import type { ParameterOrigin } from "./template-parameters.ts";
import { resourceIds } from "./logical-names.ts";

export interface ConfigChoice {
  config?: string;
  template?: string;
  parameterOverrides?: string[];
  /** SAM CLI's environment variables file (env.json). */
  envVars?: string;
  stackName?: string;
  port: number;
  host: string;
  state: string;
  inMemory?: boolean;
}

/**
 * `removeOnClose`: a temporary code root (`--in-memory` with a template), removed with the
 * simulator; `declaredCodeRoots`: the state's `template-code/zip`, collected as its `code/` is.
 */
/** `notes`: start-up lines about which files were read (the banner prints them). */
export type StartConfig = LoadedConfig & {
  template?: TemplateSummary;
  removeOnClose?: string[];
  declaredCodeRoots?: string[];
  notes?: string[];
  /** Folders of code lambda-sim unpacked or wrote (a template's zips and inline code): nobody edits them (`--watch`). */
  unpackedCode?: string[];
  /** The files it was read from: the template and its overlay, or the lambda-sim.yaml (`--watch` says a save there needs a restart). */
  configFiles?: string[];
};

/** The config `lambda-sim start` runs (loadChosenConfig), with `--env-vars` applied to its functions. */
export async function loadStartConfig(opts: ConfigChoice, sources: readonly Source<any>[]): Promise<StartConfig | undefined> {
  if (opts.envVars === undefined) return loadChosenConfig(opts, sources);
  const { applyEnvVars, readEnvVarsFile } = await import("../config/env-vars-file.ts");
  const entries = readEnvVarsFile(opts.envVars);
  const config = await loadChosenConfig(opts, sources);
  if (config === undefined) throw new SimError("ERR_CONFIG", `--env-vars ${opts.envVars}: there is no lambda-sim.yaml or template here whose functions it would set`);
  return { ...config, notes: [...(config.notes ?? []), ...applyEnvVars(opts.envVars, entries, config.functions, config.template?.names)] };
}

/**
 * Which files `lambda-sim start` reads: `--template` (with the lambda-sim.yaml beside it, or
 * `--config`, for simulator settings), else `--config`, else ./lambda-sim.yaml, else
 * ./template.yaml or ./template.yml (SAM's names), else nothing. With both ./lambda-sim.yaml and
 * a ./template.yaml and neither flag, the template is never dropped silently (newuser9 P2-5: a
 * team adding a lambda-sim.yaml for its account limits saw its whole SAM app vanish): a
 * lambda-sim.yaml that declares no functions is read as the template's overlay, as `--template`
 * reads it; one that declares functions of its own is read alone, and a banner line says so and
 * how to read both.
 */
async function loadChosenConfig(opts: ConfigChoice, sources: readonly Source<any>[]): Promise<StartConfig | undefined> {
  const templateHere = opts.template === undefined && opts.config === undefined ? ["template.yaml", "template.yml"].find((f) => existsSync(f)) : undefined;
  const nativeHere = existsSync("lambda-sim.yaml");
  const overlayHere = templateHere !== undefined && nativeHere && !declaresFunctionsOfItsOwn("lambda-sim.yaml");
  const template = opts.template ?? (templateHere !== undefined && (!nativeHere || overlayHere) ? templateHere : undefined);
  const notes =
    templateHere === undefined || !nativeHere
      ? []
      : overlayHere
        ? [`${templateHere} read with lambda-sim.yaml as its overlay (lambda-sim.yaml declares no functions of its own)`]
        : [`${templateHere} here is not read: lambda-sim.yaml declares functions of its own (\`lambda-sim start --template ${templateHere}\` reads both, lambda-sim.yaml as the template's overlay)`];
  // lambda-sim.yaml's `build: esbuild` output: kept in the state directory, so an unchanged build keeps its code.
  const buildRoot = opts.inMemory ? undefined : join(resolve(opts.state), "build");
  // Zipped `layers:` unpacked in the state directory: a restart finds them, and the layer keeps its
  // version; collected as its `code/` is once no layer version uses them. In memory: a folder of
  // this start's, removed with the simulator (load-config.ts).
  const layerRoot = opts.inMemory ? undefined : join(resolve(opts.state), "layer-zips");
  const layerCodeRoots = layerRoot === undefined ? [] : [layerRoot];
  if (template === undefined) {
    const file = opts.config ?? (nativeHere ? "lambda-sim.yaml" : undefined);
    return file === undefined ? undefined : { ...(await loadConfig(file, sources, {}, { buildRoot, layerRoot })), declaredCodeRoots: layerCodeRoots, notes, configFiles: [resolve(file)] };
  }
  // Queue URLs in the template's Refs (function environments) carry the port: with --port 0, one
  // is chosen now rather than by the listener later.
  if (opts.port === 0) opts.port = await freePort(opts.host);
  const temporary = opts.inMemory ? mkdtempSync(join(tmpdir(), "lambda-sim-template-")) : undefined;
  const codeRoot = temporary ?? join(resolve(opts.state), "template-code");
  try {
    const config = await loadTemplateWithOverlay(template, opts.config, sources, {
      parameterOverrides: parseParameterOverrides(opts.parameterOverrides ?? []),
      stackName: opts.stackName,
      endpoint: `http://${opts.host === "::1" ? "[::1]" : opts.host}:${opts.port}`,
      codeRoot,
      buildRoot,
      layerRoot,
    });
    // The overlay's own temporary folders (its layer zips in memory) go with the template's code root.
    const removeOnClose = [...(temporary === undefined ? [] : [temporary]), ...(config.removeOnClose ?? [])];
    // SAM CLI's settings file is not read; said, with where its settings go (newuser15a: silently ignored).
    if (existsSync(join(dirname(resolve(template)), "samconfig.toml"))) {
      notes.push("samconfig.toml is not read: give its parameter_overrides with --parameter-overrides, its stack_name with --stack-name, its env_vars file with --env-vars");
    }
    return { ...config, removeOnClose, declaredCodeRoots: [join(codeRoot, "zip"), ...layerCodeRoots], notes, unpackedCode: [join(codeRoot, "zip"), join(codeRoot, "inline")] };
  } catch (e) {
    // A refused template: the simulator that would have removed it never starts.
    if (temporary !== undefined) rmSync(temporary, { recursive: true, force: true });
    throw e;
  }
}

/**
 * A template with its overlay merged in, as both `start --template` and a scenario whose
 * `architecture:` is a template read it: `overlay` (--config), else the lambda-sim.yaml beside the
 * template, adds what a template cannot say (account limits, `sim:`, faults, functions: see
 * load-template.ts's combine). Its faults are checked against both files' resources and resolved
 * as a scenario's are: a logical id becomes the name the simulator knows, a name neither declares
 * fails at its file:line.
 */
export async function loadTemplateWithOverlay(
  template: string,
  overlay: string | undefined,
  sources: readonly Source<any>[],
  opts: { parameterOverrides?: Record<string, string>; parameterOrigin?: ParameterOrigin; stackName?: string; endpoint: string; codeRoot: string; buildRoot?: string; layerRoot?: string; now?: number },
): Promise<StartConfig> {
  const beside = join(dirname(resolve(template)), "lambda-sim.yaml");
  const nativeFile = overlay ?? (existsSync(beside) ? beside : undefined);
  // The template reader (SAM translation, intrinsics) only with a template: ~20 modules a
  // lambda-sim.yaml start would keep in memory for nothing (issue 16, idle RSS).
  const { loadTemplate, withOverlay } = await import("./load-template.ts");
  // The template first, in the overlay's region and account: the overlay may name its resources.
  const config = await loadTemplate(template, { sources, parameterOverrides: opts.parameterOverrides, parameterOrigin: opts.parameterOrigin, stackName: opts.stackName, endpoint: opts.endpoint, codeRoot: opts.codeRoot, identity: nativeFile === undefined ? undefined : identityOf(nativeFile), now: opts.now });
  if (nativeFile === undefined) return { ...config, configFiles: [resolve(template)] };
  // Its references (mappings, destinations, DLQs, subscriptions, schedule targets) may name the
  // template's resources, by logical id too (review18 R18-6); its faults are checked below, as a scenario's are.
  const native = await loadConfig(nativeFile, sources, {}, { buildRoot: opts.buildRoot, layerRoot: opts.layerRoot, faultReferences: false, architecture: config });
  try {
    const merged = withOverlay(config, native);
    const { ScenarioNames } = await import("../scenario/scenario-names.ts");
    const names = new ScenarioNames(merged, native.file, native.lineAt);
    const faults = names.faults(native.faults);
    names.check();
    // Returned for the caller to remove with the simulator: the overlay's temporary layer folder.
    return { ...merged, faults, arnReferences: native.arnReferences, removeOnClose: native.removeOnClose, configFiles: [resolve(template), resolve(nativeFile)] };
  } catch (e) {
    for (const dir of native.removeOnClose ?? []) rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/**
 * The `region` and `accountId` a lambda-sim.yaml sets, read before the template it overlays (whose
 * ARNs and URLs they make); anything else, or a file that does not parse, is left to its own load,
 * which reports it.
 */
function identityOf(file: string): { region?: string; accountId?: string } {
  try {
    const doc = parse(readFileSync(file, "utf8")) as { region?: unknown; accountId?: unknown } | null;
    const text = (v: unknown) => (typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined);
    return { region: text(doc?.region), accountId: text(doc?.accountId) };
  } catch {
    return {};
  }
}

/**
 * Whether a lambda-sim.yaml declares functions of its own: an entry with a `runtime`. Entries
 * without one only set some of a template function's settings (the overlay's `sim:` for a class,
 * say: newuser14 F22), so a file of those, limits, settings, queues or faults overlays the
 * template. One that cannot be parsed counts as declaring some: it is then read alone, and
 * loadConfig reports its problems as always.
 */
function declaresFunctionsOfItsOwn(file: string): boolean {
  try {
    const doc = parse(readFileSync(file, "utf8")) as { functions?: unknown } | null;
    const fns = doc?.functions;
    if (fns === undefined || fns === null) return false;
    if (typeof fns !== "object" || Array.isArray(fns)) return true;
    return Object.values(fns).some((f) => f === null || typeof f !== "object" || "runtime" in f);
  } catch {
    return true;
  }
}

/**
 * SAM CLI's spellings: `Key=Value` pairs, several in one argument separated by spaces, or
 * `ParameterKey=Key,ParameterValue=Value`. A value may be quoted to keep its spaces.
 */
export function parseParameterOverrides(args: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const arg of args) {
    for (const m of arg.matchAll(/(?:ParameterKey=([^,\s]+),ParameterValue=|([^=\s]+)=)("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g)) {
      const key = m[1] ?? m[2]!;
      const raw = m[3]!;
      out[key] = /^["']/.test(raw) ? raw.slice(1, -1).replace(/\\(.)/g, "$1") : raw;
    }
    if (!/=/.test(arg)) throw new SimError("ERR_CONFIG", `--parameter-overrides: expected Key=Value, got '${arg}'`);
  }
  return out;
}

/**
 * Once the simulator listens: the template's rules, versions, aliases and provisioned concurrency
 * (template-actions.ts), `GET /_sim/template` (its logical ids and the names they became), then
 * the start-up lines. A failure stops the simulator and fails the start,
 * as a config error does.
 */
export async function applyTemplate(sim: Simulator, config: StartConfig | undefined): Promise<string> {
  if (config?.template === undefined) return "";
  const { applyTemplateActions } = await import("./template-actions.ts");
  const schedules = () => {
    const view = sim.hub.view("schedules");
    return Array.isArray(view) ? (view as StoredSchedule[]) : [];
  };
  const mappingProblems = (input: MappingInput) => sim.mappingProblems(input).map((e) => e.message);
  const problems = await applyTemplateActions(sim.endpoint, config.template.file, config.template.actions, sim.functionUrls, false, schedules, mappingProblems);
  if (problems.length > 0) {
    await sim.close();
    throw new SimError("ERR_CONFIG", problems.join("\n"));
  }
  // What the template's logical ids became, for clients that take either (`lambda-sim tail --function`),
  // and everything else it created, with the addresses known now (template-view.ts).
  const { templateView } = await import("./template-view.ts");
  const summary = config.template;
  sim.simApi.addRoute("/_sim/template", () => templateView(sim, summary));
  // The dashboard shows each function's logical id beside the name it became (newuser10 N3-2):
  // `NodeFn (ws-NodeFn-JY7VEIQWCHG4)`, as the template the class reads names it. Fixed once
  // started, so in the snapshot only.
  // Its queues, streams, topics and buses by kind too (names may repeat across kinds).
  const { function: functionIds = {}, ...others } = resourceIds(summary.names);
  sim.hub.addView("logicalIds", () => functionIds, { snapshotOnly: true });
  // Its EventBridge rules and Scheduler schedules too (SAM's `TickFunctionEvery5`), which tail and
  // scenarios do not take: the page names them as the template does (newuser14 F2).
  for (const [id, c] of Object.entries(summary.created)) {
    const kind = c.type === "AWS::Events::Rule" ? "rule" : c.type === "AWS::Scheduler::Schedule" ? "schedule" : undefined;
    if (kind !== undefined && typeof c.name === "string") ((others as Record<string, Record<string, string>>)[kind] ??= {})[c.name] = id;
  }
  sim.hub.addView("resourceIds", () => others, { snapshotOnly: true });
  // POST /_sim/faults takes them too, as tail and scenarios do.
  sim.faults.names?.useLogicalNames(summary.names);
  return config.template.lines.map((l) => `  ${l}\n`).join("");
}

/** A port free now on `host`, for configs whose addresses must be known before the simulator listens. */
export function freePort(host: string): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * The mappings the simulator refused at start (`eventSourceMappings[2]: Queue visibility timeout...`,
 * one line each) named where they were declared: the template's line, its overlay's, or the
 * lambda-sim.yaml's. Other lines are kept as they are.
 */
export function explainStartError(e: unknown, config: StartConfig | undefined): unknown {
  if (!isSimError(e) || config === undefined || !/^eventSourceMappings\[\d+\]: /m.test(e.message)) return e;
  const lines = e.message.split("\n").map((line) => {
    const m = /^eventSourceMappings\[(\d+)\]: (.*)$/.exec(line);
    if (m === null) return line;
    const i = Number(m[1]);
    const place = config.template !== undefined ? config.template.mappingPlaces[i] : `${config.file}:${config.lineAt(["eventSourceMappings", i]) ?? ""} eventSourceMappings[${i}]`;
    return place === undefined ? line : `${place}: ${m[2]}`;
  });
  return new SimError("ERR_CONFIG", lines.join("\n"));
}
