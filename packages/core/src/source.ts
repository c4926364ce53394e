import type { MappingKind } from "./mappings/mapping-problems.ts";
import type { z } from "zod";
import type { Clock } from "./clock/clock.ts";
import type { Invoker } from "./invocation/invoker.ts";
import type { PollerFactory } from "./mappings/poller.ts";
import type { StreamReaderFactory } from "./mappings/stream-reader.ts";
import type { DeliveryOptions, Target, TargetAttribute } from "./invocation/targets.ts";
import type { AwsRouter } from "./protocols/aws-router.ts";
import type { AuthFailure } from "./protocols/sigv4-verifier.ts";
import type { FunctionUrls } from "./function-urls/function-urls.ts";
import type { IncomingMessage } from "node:http";
import type { Rng } from "./random/rng.ts";
import type { Migration } from "./store/migrate.ts";
import type { Store } from "./store/store.ts";
import type { FaultNameKind } from "./faults/fault-names.ts";
import type { Telemetry } from "./telemetry/telemetry.ts";
import type { FrontDoorArrivals } from "./invocation/front-door-priority.ts";

/** What a source is given: generic services only (STYLE.md 7.3: no source-specific fields here). */
export interface SourceContext {
  clock: Clock;
  rng: Rng;
  store: Store;
  invoker: Invoker;
  telemetry: Telemetry;
  router: AwsRouter;
  region: string;
  accountId: string;
  /** Count a request that stores work for later (Publish, PutEvents) as a front-door arrival (FrontDoorPriority). */
  frontDoor: FrontDoorArrivals;
  /** The simulator's endpoint (queue URLs and the like are built on it). */
  endpoint: string;
  /**
   * The simulator was started from a configuration (a lambda-sim.yaml or template), whether or not
   * it has this source's section: a source whose declared resources follow the file (schedules
   * pruned once the file no longer declares them) leaves them alone when there is no file at all.
   */
  configured?: boolean;
  /**
   * The address written into what is handed out for later use (SNS envelopes' UnsubscribeUrl and
   * SigningCertURL): the endpoint, unless the simulator was started with another (a scenario
   * writes the same one every run, so that its trace replays byte for byte).
   */
  publicEndpoint: string;
  /** Lambda's Function URL configs (the lambda-url front serves them). */
  functionUrls: FunctionUrls;
  /**
   * With `--auth`: checks a request's SigV4 signature (undefined = signed by a known key, in
   * time). Undefined without `--auth`, when nothing is checked: fronts with AWS_IAM auth use it.
   */
  verifySignature?: (req: IncomingMessage, body: Buffer) => AuthFailure | undefined;
  /** Registers the Target for destinations and DLQs whose ARN names this service ("sqs"). */
  registerTarget(service: string, target: Target): void;
  /** Registers the poller for event source mappings whose source ARN names this service ("sqs"). */
  registerPoller(service: string, factory: PollerFactory): void;
  /** Registers the shard reader for stream event source mappings whose source ARN names this service ("kinesis"). */
  registerStreamReader(service: string, factory: StreamReaderFactory): void;
  /** Delivers a record to any registered target kind by ARN (`sqs:` DLQs, `lambda:`), as destinations do. */
  deliverToTarget(arn: string, body: string, attributes?: Record<string, TargetAttribute>, options?: DeliveryOptions): Promise<void>;
  /**
   * Adds a JSON route under `/_sim/`: GET by default (`/_sim/queues/:name/messages`), or POST for
   * an action (`/_sim/schedules/:name/fire`). A thrown error answers 404 with its message.
   */
  /**
   * Adds a named read-only view of the source's state (`queues`, `schedules`) to the dashboard's
   * snapshot and to `GET /_sim/state`. Called on every snapshot and sample: keep it cheap.
   */
  addStateView(name: string, view: () => unknown): void;
  /**
   * A view another part of the simulator published, as the dashboard reads it (`resourceIds`: a
   * template's resources by name → logical id, once the template is applied); undefined if none.
   */
  view(name: string): unknown;
  addSimRoute(path: string, handler: (params: Record<string, string>) => unknown, method?: "GET" | "POST"): void;
  /**
   * Hands a value to the other sources of this simulator (`sqs.activity`: when each queue was last
   * accessed, which the metrics source reads): state that lives as long as this start, never in
   * module variables, which every Simulator of a process would share.
   */
  share(name: string, value: unknown): void;
  /** A value another source of this simulator shared; undefined if it has not (not running, or not started yet). */
  shared(name: string): unknown;
}

/**
 * An event source plugin (DESIGN.md `Source`): SQS, Kinesis, schedules. A plain object; the cli
 * lists them explicitly. Each brings its own migrations (tables prefixed with its name).
 */
export interface Source<Config = unknown, Settings = unknown> {
  readonly name: string;
  /** Its top-level key in lambda-sim.yaml (`queues`) and the schema of that section. */
  readonly configKey?: string;
  readonly configSchema?: z.ZodType<Config>;
  /**
   * The event source mappings its start registers a poller or stream reader for, by the ARN's
   * service (`{ sqs: "queue" }`): known before anything starts, so a configuration's mappings are
   * checked with the rest of the file (mappingInputProblems).
   */
  readonly mappingKinds?: Readonly<Record<string, MappingKind>>;
  /** A second top-level key for the simulator's own settings of the service (`sqs:`), and its schema. */
  readonly settingsKey?: string;
  readonly settingsSchema?: z.ZodType<Settings>;
  readonly migrations: readonly Migration[];
  /**
   * The names of the resources its state holds, by kind, read before anything starts: a config
   * reference written as a full ARN may name one the API created on an earlier run (state-names.ts).
   */
  readonly namesInState?: (store: Store) => Partial<Record<FaultNameKind, readonly string[]>>;
  /**
   * Starts the source for one simulator with `config`, the validated section of lambda-sim.yaml
   * (if the file has one), and `settings`, its settings section (if any), and returns the handle of what it left running. One source object
   * serves every Simulator of a process: keep per-start state in the handle, never in module
   * variables. A start that throws releases what it had acquired before rethrowing.
   */
  start(ctx: SourceContext, config: Config | undefined, settings?: Settings): Promise<SourceHandle | void> | SourceHandle | void;
}

/** What one start of a source left running; the simulator stops it once, on close or a failed start. */
export interface SourceHandle {
  stop(): Promise<void> | void;
}
