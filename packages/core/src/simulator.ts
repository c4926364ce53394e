import type { IncomingMessage, ServerResponse } from "node:http";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import express from "express";
import type { Clock } from "./clock/clock.ts";
import { ScaledClock } from "./clock/scaled-clock.ts";
import { SystemClock } from "./clock/system-clock.ts";
import type { FunctionDefinition } from "./config/function-definition.ts";
import { SimError } from "./errors/sim-error.ts";
import { invokeRoutes } from "./api/lambda/invoke.ts";
import { lambdaControlRoutes } from "./api/lambda/functions.ts";
import { AsyncQueue } from "./invocation/async-queue.ts";
import { ConcurrencyGovernor, regionBurst, type GovernorSettings } from "./invocation/concurrency-governor.ts";
import { concurrencyRoutes } from "./api/lambda/concurrency.ts";
import { provisionedConcurrencyRoutes } from "./api/lambda/provisioned-concurrency.ts";
import { ProvisionedConcurrency } from "./invocation/provisioned-concurrency.ts";
import { EventSourceMappings, type MappingInput } from "./mappings/event-source-mappings.ts";
import { isAwsError } from "./errors/aws-error.ts";
import type { PollerFactory } from "./mappings/poller.ts";
import type { StreamReaderFactory } from "./mappings/stream-reader.ts";
import { TargetRegistry, type Target, type TargetAttribute } from "./invocation/targets.ts";
import { AsyncDestinations } from "./invocation/async-destinations.ts";
import { EventInvokeConfigs } from "./registry/event-invoke-configs.ts";
import { eventInvokeConfigRoutes } from "./api/lambda/event-invoke-config.ts";
import { eventSourceMappingRoutes } from "./api/lambda/event-source-mappings.ts";
import { Invoker } from "./invocation/invoker.ts";
import { AwsRouter } from "./protocols/aws-router.ts";
import { DualProtocolServer } from "./protocols/dual-protocol-server.ts";
import { randomSeed, SeededRng } from "./random/seeded-rng.ts";
import { FunctionRegistry } from "./registry/function-registry.ts";
import { supportsPrivateTmp } from "./runtime/runtime-driver.ts";
import { ProcessLedger } from "./runtime/process-ledger.ts";
import { loadMigrations, type Migration } from "./store/migrate.ts";
import type { Source, SourceContext } from "./source.ts";
import { Store } from "./store/store.ts";
import { Telemetry } from "./telemetry/telemetry.ts";
import type { TelemetryEvent } from "./telemetry/events.ts";
import { EventHub } from "./telemetry/event-hub.ts";
import { addCoreViews } from "./telemetry/core-views.ts";
import { serveEvents } from "./telemetry/events-socket.ts";

export interface SimulatorOptions {
  /** Default 3001; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. Anything but loopback is refused until `--auth` verifies signatures. */
  host?: string;
  /** State directory; undefined keeps everything in memory (`--in-memory`). */
  stateDir?: string;
  /** Service time; default SystemClock, or a ScaledClock when timeScale is not 1. */
  clock?: Clock;
  timeScale?: number;
  seed?: number | string;
  region?: string;
  accountId?: string;
  functions?: FunctionDefinition[];
  auth?: boolean;
  /** Account concurrency, unreserved minimum and scaling rate (defaults: AWS's, aws-facts §4). */
  account?: Partial<GovernorSettings>;
  /** Wall ms an idle environment waits before it is frozen (default 2; 0 freezes at once). */
  freezeDelayMs?: number;
  /** How many stored Event invocations run at once (default 32, DEFAULT_ASYNC_CONCURRENCY). */
  asyncConcurrency?: number;
  /** Event sources (sqs, ...), started after core; their migrations run after core's. */
  sources?: readonly Source<any>[];
  /** Event source mappings from lambda-sim.yaml (CreateEventSourceMapping inputs). */
  eventSourceMappings?: readonly MappingInput[];
  /** Validated lambda-sim.yaml sections of the sources, by their configKey. */
  sourceConfig?: Record<string, unknown>;
  /** Subscribed before anything starts, so warnings emitted during start are seen (the cli prints them). */
  onTelemetry?: (event: TelemetryEvent) => void;
  /** Mounts more of the `/_sim/` surface (the cli's dashboard page at `/_sim/ui`). */
  simRoutes?: (app: express.Express) => void;
}

export const CORE_MIGRATIONS: readonly Migration[] = loadMigrations("core", new URL("./store/migrations/", import.meta.url));
// Our choice (AWS's freeze latency is not published): short enough that no realistic timer runs
// while "frozen", long enough that a busy environment is not stopped between back-to-back events.
export const DEFAULT_FREEZE_DELAY_MS = 2;
const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

/**
 * One running lambda-sim: the store, the registry, the invoker and every AWS API on one port.
 * `lambda-sim start` and the test harness both build this.
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
  readonly endpoint: string;
  readonly port: number;
  private readonly server: DualProtocolServer;
  private readonly scratch: string;
  private closing: Promise<void> | undefined;
  /** Sources started (or starting), each with the context it was given, stopped by close(). */
  private readonly started: { source: Source<any>; ctx: SourceContext }[] = [];
  private mappings: EventSourceMappings | undefined;
  /** Names of the state views the sources added (they appear in `/_sim/state` too). */
  private readonly sourceViews = new Set<string>();
  /** Where destination and DLQ records go (the asynchronous-invocation issue delivers through it). */
  targets: TargetRegistry = new TargetRegistry();

  private eventsSocket: { close(): void } | undefined;

  private constructor(parts: Pick<Simulator, "clock" | "telemetry" | "hub" | "store" | "registry" | "invoker" | "router" | "endpoint" | "port"> & { server: DualProtocolServer; scratch: string }) {
    this.clock = parts.clock;
    this.telemetry = parts.telemetry;
    this.hub = parts.hub;
    this.store = parts.store;
    this.registry = parts.registry;
    this.invoker = parts.invoker;
    this.router = parts.router;
    this.endpoint = parts.endpoint;
    this.port = parts.port;
    this.server = parts.server;
    this.scratch = parts.scratch;
  }

  static async start(opts: SimulatorOptions = {}): Promise<Simulator> {
    const host = opts.host ?? "127.0.0.1";
    if (!LOOPBACK.has(host)) {
      throw new SimError("ERR_REFUSED", `refusing to listen on ${host}: CreateFunction runs uploaded code, so only loopback is allowed until --auth verifies SigV4 signatures (not implemented yet)`);
    }
    const clock = opts.clock ?? (opts.timeScale !== undefined && opts.timeScale !== 1 ? new ScaledClock(opts.timeScale) : new SystemClock());
    const telemetry = new Telemetry(clock);
    const hub = new EventHub(telemetry, clock);
    if (opts.onTelemetry !== undefined) telemetry.subscribe(opts.onTelemetry);
    const rng = new SeededRng(opts.seed ?? randomSeed());
    const sources = opts.sources ?? [];
    const store = Store.open(opts.stateDir, [...CORE_MIGRATIONS, ...sources.flatMap((s) => s.migrations)]);
    const region = opts.region ?? "us-east-1";
    const accountId = opts.accountId ?? "000000000000";
    // Environments' /tmp directories and (in memory) uploaded code: scratch space, rebuilt each start.
    const scratch = opts.stateDir === undefined ? mkdtempSync(join(tmpdir(), "lambda-sim-")) : resolve(opts.stateDir, "run");
    rmSync(join(scratch, "environments"), { recursive: true, force: true });
    const codeRoot = opts.stateDir === undefined ? join(scratch, "code") : resolve(opts.stateDir, "code");
    let registry: FunctionRegistry;
    let eventInvokeConfigs: EventInvokeConfigs;
    try {
      registry = new FunctionRegistry({ store, clock, rng, telemetry, region, accountId, codeRoot });
      registry.applyDefinitions(opts.functions ?? []);
      eventInvokeConfigs = new EventInvokeConfigs(store, registry, clock);
      applyEventInvokeConfigs(eventInvokeConfigs, opts.functions ?? []);
    } catch (e) {
      store.close();
      throw e;
    }
    // HTTP/1.1 and h2c on one port: the JS SDK's Kinesis client speaks HTTP/2 by default.
    let handle = (_req: IncomingMessage, res: ServerResponse) => void res.writeHead(503).end();
    const server = new DualProtocolServer((req, res) => handle(req, res));
    // Idle keep-alive connections stay open a minute, as AWS endpoints' do: a client reusing a
    // socket the server has just closed gets ECONNRESET (Node's default is only 5 s).
    server.http.keepAliveTimeout = 65_000;
    server.http.headersTimeout = 66_000;
    const port = await listen(server, opts.port ?? 3001, host).catch((e: unknown) => {
      store.close();
      throw e;
    });
    const endpoint = `http://${host === "::1" ? "[::1]" : host}:${port}`;
    const privateTmp = supportsPrivateTmp();
    if (!privateTmp) {
      telemetry.emit({ type: "simulator.warning", message: "private /tmp mounts are not permitted here: each environment's TMPDIR points at its own directory instead" });
    }
    mkdirSync(join(scratch, "compile-cache"), { recursive: true });
    const processes = new ProcessLedger(join(scratch, "processes"));
    const leftovers = processes.reapLeftovers();
    if (leftovers > 0) telemetry.emit({ type: "simulator.warning", message: `killed ${leftovers} environment process(es) left running by a previous run` });
    const ctx = { clock, telemetry, region, endpointUrl: endpoint, tmpRoot: join(scratch, "environments"), privateTmp, processes, compileCacheDir: join(scratch, "compile-cache"), freezeDelayMs: opts.freezeDelayMs ?? DEFAULT_FREEZE_DELAY_MS, modelRandom: rng.stream("model") };
    const governor = new ConcurrencyGovernor(clock, telemetry, { ...opts.account, burst: opts.account?.burst ?? regionBurst(region) });
    for (const rec of registry.list()) {
      try {
        governor.setReserved(rec.name, rec.reservedConcurrency);
      } catch (e) {
        server.close();
        store.close();
        throw new SimError("ERR_CONFIG", `functions.${rec.name}.reservedConcurrency: ${(e as Error).message}`);
      }
    }
    const invoker = new Invoker({ registry, ctx, rng, governor, asyncQueue: new AsyncQueue(store, clock, telemetry, rng.stream("retry-jitter"), opts.asyncConcurrency) });
    const router = new AwsRouter(rng.stream("request-ids"));
    const provisioned = new ProvisionedConcurrency(store, registry, invoker);
    // Destinations and DLQs: `lambda:` is core's own (an Event invocation); sources add theirs.
    const targets = new TargetRegistry();
    targets.register("lambda", {
      deliver: async (arn, body) => {
        await invoker.invoke({ functionName: arn, payload: Buffer.from(body), invocationType: "Event" });
      },
    });
    const mappings = new EventSourceMappings({ store, registry, invoker, clock, telemetry, ids: rng.stream("esm-ids"), targets });
    router.addRestRoutes("lambda", [
      ...invokeRoutes(invoker),
      ...lambdaControlRoutes(registry),
      ...concurrencyRoutes(registry, governor),
      ...provisionedConcurrencyRoutes(registry, provisioned),
      ...eventSourceMappingRoutes(mappings),
      ...eventInvokeConfigRoutes(registry, eventInvokeConfigs),
    ]);
    const sim = new Simulator({ clock, telemetry, hub, store, registry, invoker, router, endpoint, port, server, scratch });
    addCoreViews(hub, { clock, registry, invoker, mappings });
    sim.eventsSocket = serveEvents(server.http, hub);
    const simApp = sim.simApi();
    opts.simRoutes?.(simApp);
    const addSimRoute = (path: string, handler: (params: Record<string, string>) => unknown, method: "GET" | "POST" = "GET") => {
      simApp[method === "POST" ? "post" : "get"](path, async (req, res) => {
        try {
          res.json(await handler(req.params as Record<string, string>));
        } catch (e) {
          res.status(404).json({ message: (e as Error).message });
        }
      });
    };
    handle = (req, res) => {
      if (req.url !== undefined && req.url.startsWith("/_sim/")) {
        // express cannot drive http2's compatibility objects (it would crash the process).
        if (req.httpVersionMajor === 2) res.writeHead(505, { "content-type": "application/json" }).end('{"message":"the /_sim/ API speaks HTTP/1.1 only"}');
        else simApp(req, res);
      } else {
        router.handle(req, res);
      }
    };
    provisioned.restore();
    for (const source of sources) {
      const config = source.configKey === undefined ? undefined : opts.sourceConfig?.[source.configKey];
      const registerPoller = (service: string, factory: PollerFactory) => mappings.registerPoller(service, factory);
      const registerTarget = (service: string, target: Target) => targets.register(service, target);
      const registerStreamReader = (service: string, factory: StreamReaderFactory) => mappings.registerStreamReader(service, factory);
      const deliverToTarget = (arn: string, body: string, attributes?: Record<string, TargetAttribute>) => targets.deliver(arn, body, attributes);
      const addStateView = (name: string, view: () => unknown) => {
        hub.addView(name, view);
        sim.sourceViews.add(name);
      };
      const sourceCtx: SourceContext = { clock, rng, store, invoker, telemetry, router, region, accountId, endpoint, addSimRoute, addStateView, registerPoller, registerTarget, registerStreamReader, deliverToTarget };
      // Recorded first: a start that fails (here or later) is undone by close().
      sim.started.push({ source, ctx: sourceCtx });
      try {
        await source.start(sourceCtx, config);
      } catch (e) {
        await sim.close();
        throw e;
      }
    }
    try {
      await mappings.applyDefinitions(opts.eventSourceMappings ?? []);
    } catch (e) {
      await sim.close();
      throw isAwsError(e) ? new SimError("ERR_CONFIG", `eventSourceMappings: ${e.message}`) : e;
    }
    // After the sources: events resumed from before a restart may end at once, and their
    // destinations need every target kind registered.
    invoker.start(eventInvokeConfigs, new AsyncDestinations({ registry, configs: eventInvokeConfigs, targets: () => targets, telemetry, clock }));
    mappings.start();
    sim.mappings = mappings;
    sim.targets = targets;
    return sim;
  }

  /** Stops environments, the server and the database (SIGINT/SIGTERM). Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.eventsSocket?.close();
      this.server.close();
      await this.mappings?.stop();
      for (const { source, ctx } of this.started) await source.stop(ctx);
      await this.invoker.close();
      this.store.close();
      if (this.scratch.includes("lambda-sim-")) rmSync(this.scratch, { recursive: true, force: true });
    })();
    return this.closing;
  }

  /** The simulator's own API (DESIGN.md: `/_sim/...`, never under an AWS path). */
  private simApi(): express.Express {
    const app = express();
    app.get("/_sim/health", (_req, res) => {
      res.json({ status: "ok" });
    });
    app.get("/_sim/state", (_req, res) => {
      const sources = Object.fromEntries([...this.sourceViews].map((n) => [n, this.hub.view(n)]));
      res.json({ time: new Date(this.clock.now()).toISOString(), functions: this.registry.listFunctionNames(), environments: this.invoker.environmentCounts(), asyncEvents: this.invoker.asyncQueue.stored(), ...sources });
    });
    return app;
  }
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

function listen(server: DualProtocolServer, port: number, host: string): Promise<number> {
  return server.listen(port, host).catch((e: NodeJS.ErrnoException) => {
    if (e.code === "EADDRINUSE") throw new SimError("ERR_PORT_IN_USE", `port ${port} on ${host} is already in use (another lambda-sim? choose one with --port)`);
    throw e;
  });
}
