import type { RestRoute } from "../protocols/rest-json.ts";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Clock } from "../clock/clock.ts";
import type { FunctionDefinition } from "../config/function-definition.ts";
import type { LayerDefinition } from "../config/layer-definition.ts";
import { isAwsError } from "../errors/aws-error.ts";
import { SimError } from "../errors/sim-error.ts";
import { concurrencyRoutes } from "../api/lambda/concurrency.ts";
import { lambdaRestSpec } from "../api/lambda/lambda-protocol.ts";
import { eventInvokeConfigRoutes } from "../api/lambda/event-invoke-config.ts";
import { eventSourceMappingRoutes } from "../api/lambda/event-source-mappings.ts";
import { lambdaControlRoutes } from "../api/lambda/functions.ts";
import { CodeLocations } from "../api/lambda/code-locations.ts";
import { functionSettingsRoutes } from "../api/lambda/function-settings.ts";
import { tagRoutes } from "../api/lambda/tags.ts";
import { LambdaTags } from "../registry/lambda-tags.ts";
import { invokeRoutes } from "../api/lambda/invoke.ts";
import { layerRoutes } from "../api/lambda/layers.ts";
import { invokeWithResponseStreamRoutes } from "../api/lambda/invoke-with-response-stream.ts";
import { provisionedConcurrencyRoutes } from "../api/lambda/provisioned-concurrency.ts";
import { functionUrlRoutes } from "../api/lambda/function-urls.ts";
import { permissionRoutes } from "../api/lambda/permissions.ts";
import { FUNCTION_URL_MIGRATIONS, FunctionUrls } from "../function-urls/function-urls.ts";
import { ResourcePolicies } from "../function-urls/resource-policies.ts";
import { AsyncQueue } from "../invocation/async-queue.ts";
import { FrontDoorArrivals } from "../invocation/front-door-priority.ts";
import { ConcurrencyGovernor, regionBurst, type GovernorSettings } from "../invocation/concurrency-governor.ts";
import { FaultInjector } from "../faults/fault-injector.ts";
import { FaultNames, simulatorMappingIds, simulatorNames } from "../faults/fault-names.ts";
import { Invoker } from "../invocation/invoker.ts";
import { ProvisionedConcurrency } from "../invocation/provisioned-concurrency.ts";
import { TargetRegistry } from "../invocation/targets.ts";
import { EventSourceMappings } from "../mappings/event-source-mappings.ts";
import { AwsRouter } from "../protocols/aws-router.ts";
import { randomSeed, SeededRng } from "../random/seeded-rng.ts";
import { EventInvokeConfigs } from "../registry/event-invoke-configs.ts";
import { FunctionRegistry } from "../registry/function-registry.ts";
import { applyFunctionDefinitions } from "../registry/declared-functions.ts";
import type { TransitionTimes } from "../registry/function-transitions.ts";
import { ProcessLedger } from "../runtime/process-ledger.ts";
import { DEFAULT_SANDBOX_POOL_BURST, DEFAULT_SANDBOX_POOL_KEYS, DEFAULT_SANDBOX_POOL_SIZE, SandboxPool } from "../runtime/sandbox-pool.ts";
import { pythonWarnings } from "../runtime/python-interpreter.ts";
import { supportsPrivateTmp } from "../runtime/runtime-driver.ts";
import { loadMigrations, type Migration } from "../store/migrate.ts";
import { Store } from "../store/store.ts";
import { Telemetry } from "../telemetry/telemetry.ts";
import { EventHub } from "../telemetry/event-hub.ts";
import { addCoreViews } from "./core-views.ts";
import type { TelemetryEvent } from "../telemetry/events.ts";
import type { CleanupStack } from "./cleanup-stack.ts";
import { keepServiceTimeMark, readServiceTimeMark } from "./service-time-mark.ts";
import type { ClockKind } from "./clock-choice.ts";
import { startServiceClock } from "./service-clock.ts";

export const CORE_MIGRATIONS: readonly Migration[] = loadMigrations("core", new URL("../store/migrations/", import.meta.url));
// Our choice (AWS's freeze latency is not published): short enough that no realistic timer runs
// while "frozen", long enough that a busy environment is not stopped between back-to-back events.
export const DEFAULT_FREEZE_DELAY_MS = 2;
// Our bootstraps wait for their next event blocked in read(2) (runtime-channel.ts): the main thread,
// where un-awaited timers and promises run, is paused from the answer on. SIGSTOP is left for the
// handler's threads and child processes, later, so that an environment invoked again within this
// time (a busy function) pays no stop and resume: measured, a SIGSTOP/SIGCONT pair about doubles
// the CPU cost of an exchange with the runtime.
export const DEFAULT_CHANNEL_FREEZE_DELAY_MS = 20;

export interface CoreStateOptions {
  /** State directory; undefined keeps everything in memory (`--in-memory`). */
  stateDir?: string;
  /**
   * Service time: `system` (default: the wall clock, scaled by timeScale) or `virtual` (moves only
   * when advanced), started no earlier than the service time a previous run on the state reached
   * (service-clock.ts); a Clock given as is starts where it says.
   */
  clock?: Clock | ClockKind;
  timeScale?: number;
  seed?: number | string;
  region?: string;
  accountId?: string;
  functions?: FunctionDefinition[];
  /** `layers:` of lambda-sim.yaml (and a template's layer resources), published before the functions. */
  layers?: LayerDefinition[];
  /** Subscribed before anything starts, so warnings emitted during start are seen (the cli prints them). */
  onTelemetry?: (event: TelemetryEvent) => void;
  /** How long API-made changes stay Pending / InProgress (lambda-sim.yaml `functionStates:`); instant by default. */
  functionStates?: TransitionTimes;
  /**
   * Folders of packages the caller unpacked for declared functions and layers (`<name>/<sha256>`:
   * the CLI's `<state>/template-code/zip`), collected as the state's `code/` is: what no function
   * or layer version uses goes, at start and after each deletion or update.
   */
  declaredCodeRoots?: readonly string[];
}

/** What exists before the port is bound: time, randomness, the database and the functions in it. */
export interface CoreState {
  clock: Clock;
  telemetry: Telemetry;
  /** Numbered telemetry and state views: `/_sim/events`, the dashboard and `lambda-sim tail`. */
  hub: EventHub;
  rng: SeededRng;
  store: Store;
  registry: FunctionRegistry;
  eventInvokeConfigs: EventInvokeConfigs;
  region: string;
  accountId: string;
  /** Environments' /tmp directories and (in memory) uploaded code: scratch space, rebuilt each start. */
  scratch: string;
  /** Function URL configs (their url ids are durable) and resource-based policies. */
  functionUrls: FunctionUrls;
  policies: ResourcePolicies;
  /** Lambda's tags on functions and mappings (declared functions' `tags:` applied at start). */
  tags: LambdaTags;
  /** Writes service time to the store now (after the virtual clock moves; service-time-mark.ts). */
  markServiceTime: () => void;
}

/** Opens the store (core's migrations, then `sourceMigrations`) and applies lambda-sim.yaml's functions. */
export function openCoreState(opts: CoreStateOptions, sourceMigrations: readonly Migration[], cleanup: CleanupStack): CoreState {
  const scratch = opts.stateDir === undefined ? mkdtempSync(join(tmpdir(), "lambda-sim-")) : resolve(opts.stateDir, "run");
  // A temporary scratch directory goes with the run (after the database has closed).
  // Only that one: a state directory's `run/` stays, whatever its path says (one under a folder
  // named `lambda-sim-demo` was taken for temporary and lost its compile cache and process ledger).
  if (opts.stateDir === undefined) cleanup.defer(() => rmSync(scratch, { recursive: true, force: true }));
  rmSync(join(scratch, "environments"), { recursive: true, force: true });
  const store = Store.open(opts.stateDir, [...CORE_MIGRATIONS, ...FUNCTION_URL_MIGRATIONS, ...sourceMigrations]);
  cleanup.defer(() => store.close());
  // Service time never goes backwards across a restart of the same state (README "Time control").
  const mark = readServiceTimeMark(store);
  const clock = startServiceClock(opts, mark);
  const telemetry = new Telemetry(clock);
  const markServiceTime = opts.stateDir === undefined ? () => {} : keepServiceTimeMark(store, clock, cleanup);
  const hub = new EventHub(telemetry, clock);
  if (opts.onTelemetry !== undefined) telemetry.subscribe(opts.onTelemetry);
  const rng = new SeededRng(opts.seed ?? randomSeed());
  const codeRoot = opts.stateDir === undefined ? join(scratch, "code") : resolve(opts.stateDir, "code");
  const region = opts.region ?? "us-east-1";
  const accountId = opts.accountId ?? "000000000000";
  const registry = new FunctionRegistry({ store, clock, rng, telemetry, region, accountId, codeRoot, otherCodeRoots: opts.declaredCodeRoots, transitions: opts.functionStates });
  registry.layers.applyDefinitions(opts.layers ?? []);
  // A declared layer's folder (a zip unpacked under a declared code root) is what its next version
  // is compared with and copied from: in use while this configuration declares it, though every
  // version has its own copy (removed, it is unpacked again with new times: a new version each start).
  registry.useCode(() => (opts.layers ?? []).map((l) => l.dir));
  const declaredWarnings = applyFunctionDefinitions(registry, opts.functions ?? []);
  // What an earlier run left in the code folder: half-unpacked uploads, code nothing uses any more.
  registry.collectCode();
  for (const message of [...declaredWarnings, ...pythonWarnings(opts.functions ?? [])]) telemetry.emit({ type: "simulator.warning", message });
  const eventInvokeConfigs = new EventInvokeConfigs(store, registry, clock);
  applyEventInvokeConfigs(eventInvokeConfigs, opts.functions ?? []);
  const functionUrls = new FunctionUrls({ store, registry, clock, ids: rng.stream("function-url-ids") });
  functionUrls.applyDefinitions(opts.functions ?? []);
  const policies = new ResourcePolicies({ store, registry, revisions: rng.stream("policy-revisions") });
  const tags = new LambdaTags(store, registry);
  tags.applyDefinitions(opts.functions ?? []);
  return { clock, telemetry, hub, rng, store, registry, eventInvokeConfigs, region, accountId, scratch, functionUrls, policies, tags, markServiceTime };
}

export interface CoreServiceOptions {
  /** With `--auth`: handed to function environments (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY). */
  functionCredentials?: { accessKeyId: string; secretAccessKey: string };
  /** Account concurrency, unreserved minimum and scaling rate (defaults: AWS's, aws-facts §4). */
  account?: Partial<GovernorSettings>;
  /** Wall ms an idle environment waits before it is frozen (default 2; 0 freezes at once). */
  freezeDelayMs?: number;
  /** The same for our Node and Python bootstraps, paused meanwhile (default 20, DEFAULT_CHANNEL_FREEZE_DELAY_MS). */
  channelFreezeDelayMs?: number;
  /** How many stored Event invocations run at once (default 32, DEFAULT_ASYNC_CONCURRENCY). */
  asyncConcurrency?: number;
  /** Pre-started sandboxes kept per runtime command line (default 1, DEFAULT_SANDBOX_POOL_SIZE; 0 disables). */
  sandboxPool?: number;
  /** Faults active from the start (`faults:` in lambda-sim.yaml or a scenario), as POST /_sim/faults takes them. */
  faults?: readonly unknown[];
}

/** The services on top of the state: concurrency, the invoker, mappings, targets and the Lambda API. */
export interface CoreServices extends CoreState {
  governor: ConcurrencyGovernor;
  invoker: Invoker;
  router: AwsRouter;
  provisioned: ProvisionedConcurrency;
  targets: TargetRegistry;
  mappings: EventSourceMappings;
  faults: FaultInjector;
  /** Requests arriving at the front door, which the workers running accepted work yield to. */
  frontDoor: FrontDoorArrivals;
}

/** Builds the services; `endpoint` is where functions' SDKs reach the simulator (AWS_ENDPOINT_URL). */
export function buildCoreServices(state: CoreState, endpoint: string, opts: CoreServiceOptions, cleanup: CleanupStack): CoreServices {
  const { clock, telemetry, rng, store, registry, region, scratch } = state;
  const privateTmp = supportsPrivateTmp();
  if (!privateTmp) {
    telemetry.emit({ type: "simulator.warning", message: "private /tmp mounts are not permitted here: each environment's TMPDIR points at its own directory instead" });
  }
  mkdirSync(join(scratch, "compile-cache"), { recursive: true });
  const processes = new ProcessLedger(join(scratch, "processes"));
  const leftovers = processes.reapLeftovers();
  if (leftovers > 0) telemetry.emit({ type: "simulator.warning", message: `killed ${leftovers} environment process(es) left running by a previous run` });
  const tmpRoot = join(scratch, "environments");
  const sandboxes = new SandboxPool({ size: opts.sandboxPool ?? sandboxPoolSize(), burst: countVariable("LAMBDA_SIM_SANDBOX_POOL_BURST", DEFAULT_SANDBOX_POOL_BURST), maxKeys: DEFAULT_SANDBOX_POOL_KEYS, tmpRoot, processes });
  cleanup.defer(() => sandboxes.close());
  const ctx = { clock, telemetry, region, endpointUrl: endpoint, credentials: opts.functionCredentials, tmpRoot, privateTmp, processes, sandboxes, compileCacheDir: join(scratch, "compile-cache"), freezeDelayMs: opts.freezeDelayMs ?? DEFAULT_FREEZE_DELAY_MS, channelFreezeDelayMs: opts.channelFreezeDelayMs ?? DEFAULT_CHANNEL_FREEZE_DELAY_MS, modelRandom: rng.stream("model") };
  const governor = new ConcurrencyGovernor(clock, telemetry, { ...opts.account, burst: opts.account?.burst ?? regionBurst(region) });
  for (const rec of registry.list()) {
    try {
      governor.setReserved(rec.name, rec.reservedConcurrency);
    } catch (e) {
      // Reached by a template's ReservedConcurrentExecutions or a state directory's functions (a
      // lambda-sim.yaml's are checked with file and line when it loads): the same way out.
      throw new SimError(
        "ERR_CONFIG",
        `functions.${rec.name}.reservedConcurrency: ${(e as Error).message} ` +
          "Lower the reservation, or set account.unreservedConcurrencyMinimum (e.g. 10) or a larger account.concurrentExecutions in lambda-sim.yaml",
      );
    }
  }
  // A fault's qualifier names what Invoke's Qualifier may: $LATEST, a version or an alias.
  const functionQualifiers = (r: FunctionRegistry, fn: string) => (r.has(fn) ? ["$LATEST", ...r.get(fn).versions.keys(), ...r.get(fn).aliases.keys()] : undefined);
  const faults = new FaultInjector(clock, telemetry, rng.stream("faults"), new FaultNames(simulatorNames(() => registry.list().map((r) => r.name), (v) => state.hub.view(v)), () => simulatorMappingIds((v) => state.hub.view(v)), (fn) => functionQualifiers(registry, fn)));
  const frontDoor = new FrontDoorArrivals();
  (opts.faults ?? []).forEach((f, i) => {
    try {
      faults.add(f, `faults[${i}]`);
    } catch (e) {
      // A name the config does not declare fails the start, as a scenario's does when it loads.
      throw isAwsError(e) ? new SimError("ERR_CONFIG", e.message) : e;
    }
  });
  const invoker = new Invoker({ registry, ctx, rng, governor, asyncQueue: new AsyncQueue(store, clock, telemetry, rng.keyed("retry-jitter"), opts.asyncConcurrency, frontDoor), faults });
  cleanup.defer(() => invoker.close());
  const router = new AwsRouter(rng.stream("request-ids"));
  router.onInternalError = (message) => telemetry.emit({ type: "simulator.warning", message });
  const provisioned = new ProvisionedConcurrency(store, registry, invoker, telemetry);
  // Destinations and DLQs: `lambda:` is core's own (an Event invocation); sources add theirs.
  const targets = new TargetRegistry(faults);
  targets.register("lambda", {
    deliver: async (arn, body) => {
      await invoker.invoke({ functionName: arn, payload: Buffer.from(body), invocationType: "Event" });
    },
  });
  const mappings = new EventSourceMappings({ store, registry, invoker, clock, telemetry, ids: rng.stream("esm-ids"), targets });
  const { tags } = state;
  // GetFunction's and GetLayerVersion's Location: their code as a zip, on this port.
  const codeLocations = new CodeLocations({ registry, clock, endpoint });
  router.addFront(codeLocations.front);
  // A FunctionName in the path that is another account's ARN names none of this account's functions (newuser12 N1-2).
  const inThisAccount = (r: RestRoute): RestRoute => (r.path.includes("{FunctionName}") ? { ...r, handler: (req) => (registry.checkAccount(req.params.FunctionName ?? ""), r.handler(req)) } : r);
  router.addRestRoutes("lambda", [
    ...invokeRoutes(invoker),
    ...invokeWithResponseStreamRoutes(invoker),
    ...lambdaControlRoutes(registry, tags, codeLocations, provisioned),
    ...concurrencyRoutes(registry, governor),
    ...functionSettingsRoutes(registry),
    ...provisionedConcurrencyRoutes(registry, provisioned),
    ...eventSourceMappingRoutes(mappings, tags),
    ...tagRoutes(registry, mappings, tags),
    ...eventInvokeConfigRoutes(registry, state.eventInvokeConfigs),
    ...layerRoutes(registry.layers, codeLocations),
    ...functionUrlRoutes(registry, state.functionUrls, (urlId) => functionUrlAddress(urlId, region, endpoint)),
    ...permissionRoutes(registry, state.policies),
  ].map(inThisAccount), lambdaRestSpec());
  addCoreViews(state.hub, { clock, registry, invoker, mappings, faults });
  return { ...state, governor, invoker, router, provisioned, targets, mappings, faults, frontDoor };
}

/**
 * The address a Function URL is served at, in LocalStack's host form: AWS's is
 * `https://<url-id>.lambda-url.<region>.on.aws/`; ours keeps the port and plain HTTP.
 */
export function functionUrlAddress(urlId: string, region: string, endpoint: string): string {
  return `http://${urlId}.lambda-url.${region}.localhost:${new URL(endpoint).port}/`;
}

/** `functions.<name>.eventInvokeConfig`: AWS's checks, reported as config errors. */
function applyEventInvokeConfigs(configs: EventInvokeConfigs, functions: readonly FunctionDefinition[]): void {
  for (const f of functions) {
    try {
      configs.applyDefinitions([f]);
    } catch (e) {
      throw isAwsError(e) ? new SimError("ERR_CONFIG", `functions.${f.functionName}.eventInvokeConfig: ${e.message}`) : e;
    }
  }
}

/** `LAMBDA_SIM_SANDBOX_POOL` (a count; 0 disables), else DEFAULT_SANDBOX_POOL_SIZE. */
function sandboxPoolSize(): number {
  return countVariable("LAMBDA_SIM_SANDBOX_POOL", DEFAULT_SANDBOX_POOL_SIZE);
}

/** A count from lambda-sim's own environment, or `fallback` when unset or not a whole number ≥ 0. */
function countVariable(name: string, fallback: number): number {
  const n = Number(process.env[name]);
  return process.env[name] !== undefined && Number.isInteger(n) && n >= 0 ? n : fallback;
}
