import { readFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { formatZodError, schemaKeysAt, SimError, type MappingInput, type Source } from "@lambda-sim/core";
import type { z } from "zod";
import { checkReservedConcurrency } from "../config/check-reserved-concurrency.ts";
import { declaredMappingProblems } from "../config/declared-mapping-problems.ts";
import { buildConfigSchema } from "../config/config-schema.ts";
import { withSettings, type FunctionSettings } from "../config/function-settings.ts";
import { configSections, fromValidatedConfig, lineOf, type LoadedConfig } from "../config/load-config.ts";
import { parseTemplate } from "./parse-template.ts";
import { TemplateError, type TemplatePath } from "./intrinsics.ts";
import type { CreatedResource } from "./created-resources.ts";
import { logicalNames, type LogicalNames } from "./logical-names.ts";
import { byPhysicalNames } from "./overlay-names.ts";
import { dependencyCycle } from "./resource-dependencies.ts";
import { applyGlobals } from "./sam-globals.ts";
import { addGeneratedQueues } from "./sam-generated-queues.ts";
import { addImplicitApis } from "./sam-implicit-apis.ts";
import { deferAliasTargets } from "./alias-targets.ts";
import type { TemplateAction } from "./template-actions.ts";
import type { ParameterOrigin } from "./template-parameters.ts";
import { TemplateStack, type TemplateResource } from "./template-stack.ts";
import { translateTemplate } from "./translate-template.ts";

export interface TemplateSummary {
  file: string;
  stackName: string;
  /** Start-up lines: what each logical id became, what is not simulated, IAM ignored. */
  lines: string[];
  /** Applied through the simulator's APIs once it listens (template-actions.ts). */
  actions: TemplateAction[];
  /** Where each of the config's event source mappings was declared: `<file>:<line> Resources.X...`. */
  mappingPlaces: string[];
  /** Logical id → physical name of its functions, queues, streams, topics and buses (scenarios and tail accept either). */
  names: LogicalNames;
  /** Every logical id lambda-sim created something for, and what (`GET /_sim/template`). */
  created: Record<string, CreatedResource>;
  /** The template's Outputs, resolved (an output whose Condition is false is left out). */
  outputs: Record<string, unknown>;
}

export interface TemplateOptions {
  sources: readonly Source<any>[];
  /** `--parameter-overrides Key=Value ...`. */
  parameterOverrides?: Record<string, string>;
  /** Where they were written when not on the command line: a scenario's `parameters:`. */
  parameterOrigin?: ParameterOrigin;
  /** AWS::StackName and the prefix of generated names; default: the template's folder name. */
  stackName?: string;
  /** The simulator's endpoint, on which queue URLs are built. */
  endpoint: string;
  /** Where zipped and inline code is unpacked. */
  codeRoot: string;
  /** The region and account of the lambda-sim.yaml beside the template (withOverlay() merges the rest). */
  identity?: { region?: string; accountId?: string };
  /** The service time the simulator starts at, when known (a scenario's): StackInfo.now. */
  now?: number;
}

/**
 * Reads a SAM or CloudFormation template (YAML with short forms, or JSON), resolves its intrinsics
 * and translates its resources into the same validated config lambda-sim.yaml produces, so nothing
 * downstream knows where it came from. Every problem is one line naming the file, line and the
 * template's own key path (`Resources.Orders.Properties.MemorySize`).
 */
export async function loadTemplate(file: string, opts: TemplateOptions): Promise<LoadedConfig & { template: TemplateSummary }> {
  const path = resolve(file);
  const text = await readFile(path, "utf8").catch((e: NodeJS.ErrnoException) => {
    throw new SimError("ERR_CONFIG", e.code === "ENOENT" ? `template not found: ${path}` : `cannot read template ${path}: ${e.message}`, { cause: e });
  });
  const parsed = parseTemplate(text, path);
  if (parsed.errors.length > 0) throw new SimError("ERR_CONFIG", parsed.errors.join("\n"));
  const lineAt = (p: readonly PropertyKey[]) => lineOf(parsed.doc, parsed.lines, p);
  const fail = (problems: readonly TemplateError[], more: readonly string[] = []): never => {
    const found = problems.map((e) => ({ line: lineAt(e.path), text: e.message, path: e.path, at: e.at }));
    // Those said elsewhere first, by their own line (`s.yaml:7 parameters.Size`), then the template's by its.
    const order = (f: (typeof found)[number]) => (f.at === undefined ? (f.line ?? Infinity) : Number(/:(\d+)/.exec(f.at)?.[1] ?? Infinity));
    found.sort((a, b) => (a.at === undefined ? 1 : 0) - (b.at === undefined ? 1 : 0) || order(a) - order(b));
    // A problem written elsewhere (a scenario's parameters:) is said there, with the template's key after it.
    const line = (f: (typeof found)[number]) => (f.at === undefined ? `${path}:${f.line ?? ""} ${dotted(f.path)}: ${f.text}` : `${f.at}: ${f.text} (template ${path}:${f.line ?? ""} ${dotted(f.path)})`);
    throw new SimError("ERR_CONFIG", [...new Set([...found.map(line), ...more])].join("\n"));
  };
  const template = parsed.value as Record<string, unknown> | null;
  if (template === null || typeof template !== "object" || Array.isArray(template)) fail([new TemplateError([], "expected a template: a map with Resources")]);
  const problems: TemplateError[] = [];
  // SAM adds the implicit APIs before its Globals, which so reach them too.
  const declared = addImplicitApis(resourcesOf(template!, fail));
  applyGlobals(template!.Globals, declared, problems);
  const resources = addGeneratedQueues(declared, problems);
  const cycle = dependencyCycle(resources);
  if (cycle !== undefined) problems.push(cycle);
  if (problems.length > 0) fail(problems);

  const region = opts.identity?.region ?? "us-east-1";
  const accountId = opts.identity?.accountId ?? "000000000000";
  const stackName = opts.stackName ?? (basename(dirname(path)).replace(/[^A-Za-z0-9-]/g, "-").replace(/^[^A-Za-z]+/, "") || "lambda-sim");
  const stack = new TemplateStack(template!, resources, { region, accountId, stackName, endpoint: opts.endpoint, now: opts.now, baseDir: dirname(path) }, opts.parameterOverrides ?? {}, opts.parameterOrigin);
  const t = await translateTemplate(stack, { baseDir: dirname(path), codeRoot: opts.codeRoot });
  const outputs = outputValues(template!.Outputs, stack, t.problems);
  // Rule patterns and mapping parameters AWS would refuse: listed with every other problem the
  // file has (newuser13 N13-3). Mapping problems alone are left to the start, which lists them
  // with what only the running sources can say (a missing queue, its visibility timeout).
  const mappingProblems = declaredMappingProblems(t.config.eventSourceMappings, opts.sources, region, accountId, opts.now).map(
    ({ index, message }) => new TemplateError(t.templatePathOf(["eventSourceMappings", index]) ?? [], message),
  );
  const found = [...t.valueProblems, ...mappingProblems];
  if (t.problems.length > 0 || t.buildErrors.length > 0) fail([...t.problems, ...found], t.buildErrors);

  const sections = configSections(opts.sources);
  const schema = buildConfigSchema(sections);
  // `topics:` and `apis:` only when the template has some: a run without the SNS or API Gateway
  // source (a scenario, a test) has no such section.
  const { topics, apis, ...rest } = t.config;
  const raw = { region, accountId, ...rest, ...(Object.keys(topics).length > 0 ? { topics } : {}), ...(Object.keys(apis).length > 0 ? { apis } : {}) };
  const checked = schema.safeParse(raw, { reportInput: true });
  if (!checked.success) {
    // Issues come on native paths (functions.NAME.memorySize); report them at the template's keys.
    const issues = checked.error.issues.map((i) => ({ ...i, path: [...(t.templatePathOf(i.path) ?? i.path)] }));
    const lines = formatZodError({ issues } as unknown as z.ZodError, path, lineAt, (p) => schemaKeysAt(schema, p));
    const more = found.map((e) => ({ line: lineAt(e.path), text: `${path}:${lineAt(e.path) ?? ""} ${dotted(e.path)}: ${e.message}` }));
    const all = [...lines.map((text) => ({ line: lineNumberOf(text, path), text })), ...more];
    throw new SimError("ERR_CONFIG", all.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity)).map((l) => l.text).join("\n"));
  }
  if (t.valueProblems.length > 0) fail(found);
  // A template's zipped layers are unpacked already (codeDirectory); a native one's by its own load.
  const validated = await fromValidatedConfig(path, raw, checked.data, Object.keys(sections), () => undefined, join(opts.codeRoot, "layer-zips"));
  const places = t.config.eventSourceMappings.map((_, i) => {
    const at = t.templatePathOf(["eventSourceMappings", i]) ?? [];
    return `${path}:${lineAt(at) ?? ""} ${dotted(at)}`;
  });
  const placeOf = (native: readonly PropertyKey[]) => {
    const at = t.templatePathOf(native) ?? [];
    return `${path}:${lineAt(at) ?? ""} ${dotted(at)}`;
  };
  const { config: startConfig, mappingPlaces } = deferAliasTargets(validated, t.actions, places, placeOf);
  const summary: TemplateSummary = { file: path, stackName, lines: [...summaryLines(t, path, stackName), ...Object.entries(outputs).map(([name, value]) => `  output ${name}: ${typeof value === "string" ? value + localApiHint(value, opts.endpoint) : JSON.stringify(value)}`)],
    actions: t.actions,
    mappingPlaces,
    names: logicalNames(stack),
    created: t.created,
    outputs,
  };
  return { ...startConfig, template: summary };
}

/** The line a formatted problem (`<file>:<line> <key path>: ...`) names, if any. */
function lineNumberOf(text: string, file: string): number | undefined {
  const m = /^:(\d+) /.exec(text.slice(file.length));
  return text.startsWith(file) && m !== null ? Number(m[1]) : undefined;
}

function resourcesOf(template: Record<string, unknown>, fail: (p: TemplateError[]) => never): Record<string, TemplateResource> {
  const section = template.Resources;
  if (section === null || typeof section !== "object" || Array.isArray(section)) return fail([new TemplateError(["Resources"], "expected a map of logical ids to resources")]);
  const out: Record<string, TemplateResource> = {};
  const problems: TemplateError[] = [];
  for (const [id, r] of Object.entries(section as Record<string, Record<string, unknown>>)) {
    if (id.startsWith("Fn::ForEach::")) {
      problems.push(new TemplateError(["Resources", id], "Fn::ForEach (AWS::LanguageExtensions) is not supported: write the resources out"));
      continue;
    }
    // CloudFormation: logical ids are alphanumeric.
    if (!/^[A-Za-z0-9]+$/.test(id)) problems.push(new TemplateError(["Resources", id], "expected a logical id of letters and digits"));
    if (r === null || typeof r !== "object" || typeof r.Type !== "string") {
      problems.push(new TemplateError(["Resources", id, "Type"], "expected a resource type such as AWS::Serverless::Function"));
      continue;
    }
    const props = r.Properties ?? {};
    if (typeof props !== "object" || Array.isArray(props)) problems.push(new TemplateError(["Resources", id, "Properties"], "expected a map of properties"));
    out[id] = { Type: r.Type, Properties: { ...(props as Record<string, unknown>) }, Condition: r.Condition as string | undefined, Metadata: r.Metadata as Record<string, unknown> | undefined, DependsOn: r.DependsOn };
  }
  if (problems.length > 0) fail(problems);
  return out;
}

/** The template's Outputs, resolved as `sam deploy` prints them (an output whose Condition is false is left out). */
function outputValues(section: unknown, stack: TemplateStack, problems: TemplateError[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (section === null || typeof section !== "object" || Array.isArray(section)) return out;
  for (const [name, o] of Object.entries(section as Record<string, { Value?: unknown; Condition?: unknown }>)) {
    try {
      if (typeof o?.Condition === "string" && !stack.condition(o.Condition, ["Outputs", name, "Condition"])) continue;
      const value = stack.resolver.resolve(o?.Value, ["Outputs", name, "Value"]);
      out[name] = value;
    } catch (e) {
      if (!(e instanceof TemplateError)) throw e;
      problems.push(e);
    }
  }
  return out;
}

function summaryLines(t: Awaited<ReturnType<typeof translateTemplate>>, file: string, stackName: string): string[] {
  const out = [`template ${basename(file)} (stack ${stackName}):`, ...t.lines.map((l) => `  ${l}`)];
  if (t.notSimulated.length > 0) out.push(`  not simulated (yet): ${t.notSimulated.join(", ")}`);
  if (t.iam.length > 0) out.push(`  IAM roles, policies and permissions are accepted and ignored (lambda-sim checks no permissions): ${t.iam.join(", ")}`);
  return out;
}

/**
 * A lambda-sim.yaml beside the template: its region, account and limits apply to the whole run;
 * its functions, queues, streams and schedules are added, and replace the template's on a name
 * both declare (a function swapped for a `model`, say); its mappings are added. It was loaded
 * knowing the template (loadConfig's `architecture`): the template's resources it names by logical
 * id are the names they became already.
 */
export function withOverlay(fromTemplate: LoadedConfig & { template: TemplateSummary }, given: LoadedConfig): LoadedConfig & { template: TemplateSummary } {
  const summary = fromTemplate.template;
  const renamed = byPhysicalNames(given, fromTemplate, summary);
  // A schedule the template makes once its alias exists (alias-targets.ts) is replaced by the native one of its name too.
  const nativeSchedules = (renamed.sources.schedules ?? {}) as Record<string, unknown>;
  summary.actions = summary.actions.filter((a) => a.kind !== "schedule" || nativeSchedules[a.key] === undefined);
  // Its mappings and schedules on the template's aliases wait for them too (review19 R19-4); its
  // other mappings follow the template's: a refusal at start names the overlay's line (explainStartError).
  const place = (p: readonly PropertyKey[]) => `${renamed.file}:${renamed.lineAt(p) ?? ""} ${dotted(p as TemplatePath)}`;
  const deferred = deferAliasTargets(renamed, summary.actions, renamed.eventSourceMappings.map((_, i) => place(["eventSourceMappings", i])), place);
  const native = deferred.config;
  summary.mappingPlaces = [...summary.mappingPlaces, ...deferred.mappingPlaces];
  const names = new Set(native.functions.map((f) => f.functionName));
  const settings = new Map((native.functionSettings ?? []).map((s) => [s.name, s]));
  summary.lines.push(...overlayLines(fromTemplate, native, settings, deferred.mappingPlaces));
  const sources: Record<string, unknown> = { ...fromTemplate.sources };
  for (const [k, v] of Object.entries(native.sources)) {
    if (v !== undefined) sources[k] = { ...((sources[k] as object | undefined) ?? {}), ...(v as object) };
  }
  const functions = [...fromTemplate.functions.filter((f) => !names.has(f.functionName)).map((f) => withSettings(f, settings.get(f.functionName), native.file, native.lineAt)), ...native.functions];
  if ([...settings.values()].some((s) => s.settings.reservedConcurrency !== undefined)) {
    // A reservation the overlay sets is checked against the account as a declared one is, at its line.
    const asKeyed = functions.map((f) => ({ ...f, functionName: settings.get(f.functionName)?.key ?? f.functionName }));
    const over = checkReservedConcurrency(asKeyed, native.account, native.file, native.lineAt);
    if (over.length > 0) throw new SimError("ERR_CONFIG", over.join("\n"));
  }
  return {
    ...native,
    file: fromTemplate.file,
    functions,
    layers: [...fromTemplate.layers.filter((l) => !native.layers.some((n) => n.layerName === l.layerName)), ...native.layers],
    eventSourceMappings: [...fromTemplate.eventSourceMappings, ...native.eventSourceMappings],
    sources,
    raw: fromTemplate.raw,
    template: summary,
  };
}

/**
 * The start-up lines of an overlay: what it declares again or sets of the template's (the lines
 * before them show the template's own; newuser12 N1-7), a mapping for a pair the template maps
 * (one mapping per function and queue, as AWS allows: its settings apply over the template's, an
 * UpdateEventSourceMapping at start; newuser11 N1-11), and one line of what it adds (N1-2).
 */
function overlayLines(fromTemplate: LoadedConfig, native: LoadedConfig, settings: ReadonlyMap<string, FunctionSettings>, mappingPlaces: readonly string[]): string[] {
  const file = basename(native.file);
  const lines: string[] = [];
  const added: string[] = [];
  const nativeFunctions = new Set(native.functions.map((f) => f.functionName));
  const templateFunctions = new Set(fromTemplate.functions.map((f) => f.functionName));
  for (const f of fromTemplate.functions) {
    if (nativeFunctions.has(f.functionName)) lines.push(`  function ${f.functionName}: as ${file} declares it`);
    else if (settings.has(f.functionName)) lines.push(`  function ${f.functionName}: ${settings.get(f.functionName)!.given.join(", ")} as ${file} sets them`);
  }
  for (const f of native.functions) if (!templateFunctions.has(f.functionName)) added.push(`function ${f.functionName}`);
  for (const [section, noun] of [["queues", "queue"], ["streams", "stream"], ["topics", "topic"], ["buses", "bus"], ["schedules", "schedule"], ["apis", "api"]] as const) {
    const theirs = (fromTemplate.sources[section] as object | undefined) ?? {};
    for (const k of Object.keys((native.sources[section] as object | undefined) ?? {})) {
      // The default bus always exists: rules on it are the overlay's, the bus is not.
      if (section === "buses" && k === "default") continue;
      if (!(k in theirs)) added.push(`${noun} ${k}`);
      else if (section !== "buses" && section !== "apis") lines.push(`  ${noun} ${k}: as ${file} declares it`);
    }
  }
  const defaultBus = ((native.sources.buses as Record<string, { rules?: object }> | undefined) ?? {}).default;
  for (const rule of Object.keys(defaultBus?.rules ?? {})) added.push(`rule ${rule} on the default bus`);
  const pair = (m: MappingInput) => `${m.FunctionName} ${m.EventSourceArn}`;
  const templatePairs = new Set(fromTemplate.eventSourceMappings.map(pair));
  let mappings = 0;
  native.eventSourceMappings.forEach((m, i) => {
    if (!templatePairs.has(pair(m))) mappings++;
    else lines.push(`  mapping ${m.FunctionName} <- ${String(m.EventSourceArn).split(":").pop()}: the template's, with ${mappingPlaces[i] ?? file}'s settings over its own`);
  });
  if (mappings > 0) added.push(`${mappings} mapping(s)`);
  if (native.faults.length > 0) added.push(`${native.faults.length} fault(s)`);
  return added.length === 0 ? lines : [...lines, `  ${file} adds: ${added.join(", ")}`];
}

/** `Resources.Orders.Properties.Events.Queue[0]`. */
function dotted(path: TemplatePath): string {
  if (path.length === 0) return "(top level)";
  return path.map((k, i) => (typeof k === "number" ? `[${k}]` : i === 0 ? k : `.${k}`)).join("");
}

/**
 * An Output that builds an API's AWS address (`!Sub https://${ServerlessHttpApi}.execute-api.${AWS::Region}.amazonaws.com/...`,
 * SAM's usual ApiUrl) is printed as CloudFormation resolves it, with where that API answers here
 * beside it: a class copies the first URL on the screen (newuser14 F16).
 */
function localApiHint(value: string, endpoint: string): string {
  const m = /^https:\/\/([a-z0-9]+)\.execute-api\.[a-z0-9-]+\.amazonaws\.com(?:\/(.*))?$/.exec(value);
  return m === null ? "" : ` (here: ${endpoint}/_aws/execute-api/${m[1]}/${m[2] ?? ""})`;
}
