import { rmSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Clock } from "./clock/clock.ts";
import { isAwsError, type AwsError } from "./errors/aws-error.ts";
import type { EventSourceMappings } from "./mappings/event-source-mappings.ts";
import { SimError } from "./errors/sim-error.ts";
import type { Invoker } from "./invocation/invoker.ts";
import type { TargetRegistry } from "./invocation/targets.ts";
import { AsyncDestinations } from "./invocation/async-destinations.ts";
import type { MappingInput } from "./config/mapping-input.ts";
import type { AwsRouter } from "./protocols/aws-router.ts";
import { DualProtocolServer } from "./protocols/dual-protocol-server.ts";
import { sigV4Gate } from "./protocols/sigv4-errors.ts";
import { SigV4Verifier, type Credential } from "./protocols/sigv4-verifier.ts";
import { stopwatch } from "./clock/stopwatch.ts";
import type { FunctionRegistry } from "./registry/function-registry.ts";
import { isSimPath, SimApi } from "./sim-api/sim-api.ts";
import { isOneOf, simToken } from "./sim-api/sim-token.ts";
import { StateLock } from "./store/state-lock.ts";
import type { Source } from "./source.ts";
import { CleanupStack } from "./startup/cleanup-stack.ts";
import { checkClockChoice } from "./startup/clock-choice.ts";
import { buildCoreServices, openCoreState, type CoreServiceOptions, type CoreStateOptions } from "./startup/core-services.ts";
import { startSources } from "./startup/source-startup.ts";
import { stateNames } from "./startup/state-names.ts";
import type { KnownNames } from "./faults/fault-names.ts";
import type { Store } from "./store/store.ts";
import type { Telemetry } from "./telemetry/telemetry.ts";
import type { EventHub } from "./telemetry/event-hub.ts";
import { EVENTS_PATH, eventsSocket } from "./sim-api/events-socket.ts";
import type { FaultInjector } from "./faults/fault-injector.ts";
import type { FunctionUrls } from "./function-urls/function-urls.ts";

export { CORE_MIGRATIONS, DEFAULT_CHANNEL_FREEZE_DELAY_MS, DEFAULT_FREEZE_DELAY_MS } from "./startup/core-services.ts";

/** lambda-sim's options: the core state's and services', then the port, `--auth` and the sources. */
export interface SimulatorOptions extends CoreStateOptions, Omit<CoreServiceOptions, "functionCredentials"> {
  /** Default 3001; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. Anything but loopback is refused without `auth`: CreateFunction runs uploaded code. */
  host?: string;
  /**
   * `--auth`: every AWS API request must carry a SigV4 signature by one of `credentials`; `/_sim`
   * (all but /_sim/health) wants `Authorization: Bearer <secret access key>`; any host may be bound.
   */
  auth?: boolean;
  /** The keys `auth` accepts (LAMBDA_SIM_ACCESS_KEY_ID / LAMBDA_SIM_SECRET_ACCESS_KEY, `auth.credentials`). */
  credentials?: readonly Credential[];
  /** Event sources (sqs, ...), started after core; their migrations run after core's. */
  sources?: readonly Source<any>[];
  /** Event source mappings from lambda-sim.yaml (CreateEventSourceMapping inputs). */
  eventSourceMappings?: readonly MappingInput[];
  /** Validated lambda-sim.yaml sections of the sources, by their configKey. */
  sourceConfig?: Record<string, unknown>;
  /** SourceContext.publicEndpoint: the address SNS envelopes carry, when not the endpoint (scenarios). */
  publicEndpoint?: string;
  /**
   * Temporary directories the caller made for this run (the CLI's in-memory template code, a
   * scenario's), removed when the simulator closes or fails to start, after everything else.
   */
  removeOnClose?: readonly string[];
  /**
   * Problems only the state can tell, one line each (the CLI's config references written as full
   * ARNs that the file does not declare: arn-references.ts), asked once the state is open and before
   * anything is declared in it or served; any line refuses the start as a config error.
   */
  stateProblems?: (names: KnownNames) => string[];
}

type SimulatorParts = Pick<Simulator, "clock" | "telemetry" | "hub" | "store" | "registry" | "invoker" | "router" | "simApi" | "endpoint" | "port" | "targets" | "faults" | "functionUrls"> & { cleanup: CleanupStack; mappings: EventSourceMappings };

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

/**
 * One running lambda-sim: the store, the registry, the invoker and every AWS API on one port.
 * `lambda-sim start` and the test harness both build this. Start-up: core state, the port, core
 * services, the `/_sim` API, the sources, then the background work; everything acquired is on
 * one CleanupStack, so a failed start and close() release the same things in reverse.
 */
export class Simulator {
  readonly clock: Clock;
  readonly telemetry: Telemetry;
  /** Numbered telemetry and state views: `/_sim/events`, the dashboard and `lambda-sim tail`. */
  readonly hub: EventHub;
  readonly store: Store;
  readonly registry: FunctionRegistry;
  readonly invoker: Invoker;
  readonly router: AwsRouter;
  /** `/_sim/...`: add routes with `simApi.use(loader)` / `addRoute` / `onUpgrade` (sim-api/sim-api.ts). */
  readonly simApi: SimApi;
  readonly endpoint: string;
  readonly port: number;
  readonly faults: FaultInjector;
  /** Where destination and DLQ records go (the asynchronous-invocation issue delivers through it). */
  readonly targets: TargetRegistry;
  /** Function URL configs: `lambda-sim start` prints each one's address. */
  readonly functionUrls: FunctionUrls;
  private readonly cleanup: CleanupStack;
  private readonly mappings: EventSourceMappings;

  private constructor(parts: SimulatorParts) {
    this.clock = parts.clock;
    this.telemetry = parts.telemetry;
    this.hub = parts.hub;
    this.store = parts.store;
    this.registry = parts.registry;
    this.invoker = parts.invoker;
    this.router = parts.router;
    this.simApi = parts.simApi;
    this.endpoint = parts.endpoint;
    this.port = parts.port;
    this.targets = parts.targets;
    this.cleanup = parts.cleanup;
    this.faults = parts.faults;
    this.functionUrls = parts.functionUrls;
    this.mappings = parts.mappings;
  }

  /**
   * Every refusal the mapping `def` would meet, all of them (EventSourceMappings.definitionProblems):
   * a template's mappings on an alias, made through the API once the alias is, are checked
   * together first, as a configuration's own mappings are at start (newuser13 N13-3).
   */
  mappingProblems(def: MappingInput): AwsError[] {
    return this.mappings.definitionProblems(def);
  }

  static async start(opts: SimulatorOptions = {}): Promise<Simulator> {
    const cleanup = new CleanupStack();
    // Deferred first, so removed last (after the environments that ran from them and the database).
    for (const dir of opts.removeOnClose ?? []) cleanup.defer(() => rmSync(dir, { recursive: true, force: true }));
    try {
      // Before the state directory is locked, cleaned or migrated: a refused start leaves none behind.
      checkClockChoice(opts);
      const host = opts.host ?? "127.0.0.1";
      if (!LOOPBACK.has(host) && opts.auth !== true) {
        throw new SimError("ERR_REFUSED", `refusing to listen on ${host} without --auth: CreateFunction runs uploaded code, so only loopback is open to unsigned requests`);
      }
      if (opts.auth === true && (opts.credentials ?? []).length === 0) {
        throw new SimError("ERR_CONFIG", "--auth needs credentials: set LAMBDA_SIM_ACCESS_KEY_ID and LAMBDA_SIM_SECRET_ACCESS_KEY, or list them under auth.credentials in lambda-sim.yaml");
      }
      return await Simulator.build(opts, host, cleanup);
    } catch (e) {
      await cleanup.run();
      throw e;
    }
  }

  private static async build(opts: SimulatorOptions, host: string, cleanup: CleanupStack): Promise<Simulator> {
    const sources = opts.sources ?? [];
    // Before anything touches the state directory (the database, run/'s environments).
    const lock = opts.stateDir === undefined ? undefined : StateLock.acquire(opts.stateDir);
    if (lock !== undefined) cleanup.defer(() => lock.release());
    const state = openCoreState(opts, sources.flatMap((s) => s.migrations), cleanup);
    const unknown = opts.stateProblems?.(stateNames(() => state.registry.listFunctionNames(), state.store, sources)) ?? [];
    if (unknown.length > 0) throw new SimError("ERR_CONFIG", unknown.join("\n"));
    // HTTP/1.1 and h2c on one port: the JS SDK's Kinesis client speaks HTTP/2 by default.
    // Until start-up is done every request gets a 503.
    let handle = (_req: IncomingMessage, res: ServerResponse) => void res.writeHead(503).end();
    const server = new DualProtocolServer((req, res) => handle(req, res));
    // Idle keep-alive connections stay open a minute, as AWS endpoints' do: a client reusing a
    // socket the server has just closed gets ECONNRESET (Node's default is only 5 s).
    server.http.keepAliveTimeout = 65_000;
    server.http.headersTimeout = 66_000;
    const port = await listen(server, opts.port ?? 3001, host);
    cleanup.defer(() => server.close());
    const endpoint = `http://${host === "::1" ? "[::1]" : host}:${port}`;
    lock?.record(endpoint);
    const verifier = opts.auth === true ? new SigV4Verifier(opts.credentials ?? [], () => stopwatch.epochNow()) : undefined;
    const core = buildCoreServices(state, endpoint, { ...opts, functionCredentials: verifier && opts.credentials?.[0] }, cleanup);
    if (verifier !== undefined) core.router.authenticate = sigV4Gate(verifier);

    // The /_sim API: one line per module that serves routes there.
    // The bearer: a secret access key, or the token derived from one (sim-token.ts: the dashboard's address carries it).
    const simTokens = (opts.credentials ?? []).map((c) => simToken(c.secretAccessKey));
    const simApi = new SimApi(verifier && ((token) => verifier.knowsSecret(token) || isOneOf(token, simTokens)));
    simApi.use(async () => (await import("./sim-api/core-sim-routes.ts")).coreSimRoutes(core));
    simApi.use(async () => (await import("./sim-api/clock-routes.ts")).clockRoutes(core.clock, core.telemetry, core.markServiceTime));
    simApi.use(async () => (await import("./sim-api/fault-routes.ts")).faultRoutes(core.faults));
    const events = eventsSocket(core.hub);
    simApi.onUpgrade(EVENTS_PATH, events.upgrade);
    cleanup.defer(() => events.close());
    server.http.on("upgrade", (req, socket, head) => {
      if (isSimPath(req.url)) simApi.handleUpgrade(req, socket, head);
      else socket.destroy();
    });

    const flushTelemetry = () => core.telemetry.flush();
    handle = (req, res) => {
      // Events left waiting are recorded before anything can read them, and as soon as an answer
      // is written. An invocation reads none of them: what the last one left (Telemetry.later) is
      // delivered while this one's handler runs, not before it starts.
      if (!isInvocation(req)) {
        flushTelemetry();
        res.once("finish", flushTelemetry);
      }
      if (isSimPath(req.url)) simApi.handle(req, res);
      else core.router.handle(req, res);
    };
    await startSources(sources, core, { endpoint, publicEndpoint: opts.publicEndpoint, simApi, sourceConfig: opts.sourceConfig, verifier }, cleanup);
    // After the sources: their subscribers (CloudWatch's provisioned metrics) see each restored
    // config's provisioned-concurrency.changed, and so its alias.
    core.provisioned.restore();
    // Every mapping's every problem first, each named by its place in the config, and none made
    // unless all pass: a start lists them all (AWS answers one per request; newuser13 N13-3).
    const definitions = opts.eventSourceMappings ?? [];
    const refused = definitions.flatMap((def, i) => core.mappings.definitionProblems(def).map((e) => `eventSourceMappings[${i}]: ${e.message}`));
    if (refused.length > 0) throw new SimError("ERR_CONFIG", refused.join("\n"));
    // One at a time, so a refused mapping is named by its place in the config.
    for (const [i, def] of definitions.entries()) {
      try {
        await core.mappings.applyDefinitions([def]);
      } catch (e) {
        throw isAwsError(e) ? new SimError("ERR_CONFIG", `eventSourceMappings[${i}]: ${e.message}`) : e;
      }
    }
    // After the sources: events resumed from before a restart may end at once, and their
    // destinations need every target kind registered.
    const { registry, eventInvokeConfigs, targets, telemetry, clock } = core;
    core.invoker.start(eventInvokeConfigs, new AsyncDestinations({ registry, configs: eventInvokeConfigs, targets: () => targets, telemetry, clock }));
    core.mappings.start();
    cleanup.defer(() => core.mappings.stop());
    // Last deferred, so first on close: stop taking requests before anything else stops.
    cleanup.defer(() => server.close());
    return new Simulator({ ...core, simApi, endpoint, port, cleanup });
  }

  /** Stops the server, the mappings, the sources, environments and the database (SIGINT/SIGTERM). Idempotent. */
  close(): Promise<void> {
    return this.cleanup.run();
  }
}

function listen(server: DualProtocolServer, port: number, host: string): Promise<number> {
  return server.listen(port, host).catch((e: NodeJS.ErrnoException) => {
    if (e.code === "EADDRINUSE") throw new SimError("ERR_PORT_IN_USE", `port ${port} on ${host} is already in use (another lambda-sim? choose one with --port)`);
    throw e;
  });
}

/** Invoke and InvokeWithResponseStream (`POST .../functions/NAME/invocations`, `.../response-streaming-invocations`). */
function isInvocation(req: IncomingMessage): boolean {
  const url = req.url;
  if (req.method !== "POST" || url === undefined) return false;
  const q = url.indexOf("?");
  return (q < 0 ? url : url.slice(0, q)).endsWith("invocations");
}
