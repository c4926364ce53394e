import { LAST_DATE_MS, type Clock } from "../clock/clock.ts";
import type { RandomStream } from "../random/rng.ts";
import type { Telemetry } from "../telemetry/telemetry.ts";
import type { ThrottleReason } from "../invocation/concurrency-governor.ts";
import type { DeliveryOrigin } from "../invocation/targets.ts";
import { formatZodError } from "../config/format-zod-error.ts";
import { schemaKeysAt } from "../config/schema-keys.ts";
import { SimError } from "../errors/sim-error.ts";
import { faultSchema, type FaultSpec } from "./fault-spec.ts";
import { arnMatches, functionMatches } from "./arn-match.ts";
import { payloadMatcher } from "./payload-match.ts";
import type { FaultNames } from "./fault-names.ts";

/** The last instant a Date holds (core's LAST_DATE_MS), as ISO text for the refusal messages. */
const LAST_DATE = new Date(LAST_DATE_MS).toISOString();

/** A fault as added: its spec, id, activity window and counters (GET /_sim/faults lists these). */
export interface ActiveFault {
  id: string;
  spec: FaultSpec;
  /** Service time, epoch ms, from which it fires. */
  activeFrom: number;
  activeUntil?: number;
  /** Matching invocations (or deliveries) seen while active. */
  matched: number;
  fired: number;
  /** `payloadContains`, compiled once. */
  matchesPayload?: (payload: Buffer) => boolean;
  /** Said when it was added: an ARN naming no function yet (FaultNames). */
  warning?: string;
}

/** One invocation as the Invoker is about to run it. */
export interface InvocationSubject {
  functionName: string;
  /** The invocation's request id, once it has one (the run phase): named in `fault.fired`, so its story can say what a fault did. */
  requestId?: string;
  /** The qualifier as invoked (alias or version), if any. */
  qualifier?: string;
  executedVersion: string;
  payload: Buffer;
  sourceArn?: string;
  mappingUuid?: string;
  /** No warm environment is free: this invocation will start one. */
  coldStart: boolean;
  /** Which attempt of its event this is, when it has one (InvocationOrigin.attempt, an async event's). */
  attempt?: number;
}

/** What the faults that fired do to one invocation. */
export interface InvocationFaults {
  throttle?: ThrottleReason;
  /** Service ms a slow cold start adds before the invocation reaches its new environment. */
  coldStartDelayMs: number;
  /**
   * Service ms of latency the invocation spends in its environment, as a slow downstream call in
   * the handler would: the environment stays taken, and the function's timeout counts it.
   */
  latencyMs: number;
  /** Replaces the invocation's outcome: the handler does not run. */
  outcome?: { fault: ActiveFault; spec: Extract<FaultSpec, { kind: "error" | "timeout" | "crash" | "out-of-memory" }> };
}

/**
 * Fault injection (issue 14): `/_sim/faults`, `faults:` in lambda-sim.yaml and in scenarios. The
 * Invoker asks which faults fire for each invocation before admitting it, the TargetRegistry for
 * each destination or DLQ delivery. Fractions draw from the seeded "faults" stream, and only when a
 * fault's scope matches, so a replay with the same seed fires the same faults.
 */
/** A fault as GET /_sim/faults and the dashboard's `faults` view show it: its spec, window (dates) and counters. */
export function faultView(f: ActiveFault): Record<string, unknown> {
  return { id: f.id, ...(f.warning === undefined ? {} : { warning: f.warning }), ...f.spec, activeFrom: new Date(f.activeFrom).toISOString(), activeUntil: f.activeUntil === undefined ? null : new Date(f.activeUntil).toISOString(), matched: f.matched, fired: f.fired };
}

export class FaultInjector {
  private readonly clock: Clock;
  private readonly telemetry: Telemetry;
  private readonly random: RandomStream;
  private faults: ActiveFault[] = [];
  private seq = 0;
  /** Resolves and checks the names a fault's scope writes; without it names are taken as written. */
  readonly names: FaultNames | undefined;

  constructor(clock: Clock, telemetry: Telemetry, random: RandomStream, names?: FaultNames) {
    this.clock = clock;
    this.telemetry = telemetry;
    this.random = random;
    this.names = names;
  }

  /**
   * Validates and adds a fault; a bad spec is a user error naming the key, a name the simulator
   * does not have a ResourceNotFoundException (FaultNames).
   */
  add(input: unknown, where = "fault", opts: { checkQualifier?: boolean } = {}): ActiveFault {
    const parsed = faultSchema.safeParse(input, { reportInput: true });
    if (!parsed.success) throw new SimError("ERR_CONFIG", formatZodError(parsed.error, where, () => undefined, (path) => schemaKeysAt(faultSchema, path)).join("\n"));
    const { spec, warning } = this.names?.resolve(parsed.data, where, opts.checkQualifier) ?? { spec: parsed.data };
    const activeFrom = this.clock.now() + spec.afterSeconds * 1000;
    const activeUntil = spec.forSeconds === undefined ? undefined : activeFrom + spec.forSeconds * 1000;
    // The window's ends are dates (GET /_sim/faults shows them): past the last one, name the key.
    if (!(activeFrom <= LAST_DATE_MS)) throw new SimError("ERR_CONFIG", `${where}: afterSeconds: expected a number of seconds that starts the fault before ${LAST_DATE}, got ${spec.afterSeconds}`);
    if (activeUntil !== undefined && !(activeUntil <= LAST_DATE_MS)) throw new SimError("ERR_CONFIG", `${where}: forSeconds: expected a number of seconds that ends the fault before ${LAST_DATE}, got ${spec.forSeconds}`);
    const fault: ActiveFault = { id: `fault-${++this.seq}`, spec, activeFrom, activeUntil, matched: 0, fired: 0, matchesPayload: spec.payloadContains === undefined ? undefined : payloadMatcher(spec.payloadContains), warning };
    this.faults.push(fault);
    return fault;
  }

  /** Faults added and not cleared. */
  get size(): number {
    return this.faults.length;
  }

  list(): readonly ActiveFault[] {
    return this.faults;
  }

  /** Removes one fault by id (false if unknown), or all of them. */
  clear(id?: string): boolean {
    if (id === undefined) {
      this.faults = [];
      return true;
    }
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => f.id !== id);
    return this.faults.length < before;
  }

  /**
   * Decides, and reports as telemetry, what the faults do to one invocation (undefined: nothing).
   * Asked twice: at `admission` for throttle faults (a throttled invocation never ran), then once
   * admitted at `run` for the others, so a fault fires only on invocations that really start.
   */
  forInvocation(s: InvocationSubject, phase: "admission" | "run"): InvocationFaults | undefined {
    if (this.faults.length === 0) return undefined;
    let out: InvocationFaults | undefined;
    for (const f of this.faults) {
      const spec = f.spec;
      if (spec.kind === "delivery-failure" || (spec.kind === "slow-cold-start" && !s.coldStart)) continue;
      if ((spec.kind === "throttle") !== (phase === "admission")) continue;
      // Every fault in scope counts the invocation (so `nth` means the n-th invocation it matched),
      // but only the first throttle or outcome applies; delays add up.
      if (!this.inScope(f, s) || (f.matchesPayload !== undefined && !f.matchesPayload(s.payload))) continue;
      if (spec.attempt !== undefined && (s.attempt === undefined || !(Array.isArray(spec.attempt) ? spec.attempt.includes(s.attempt) : spec.attempt === s.attempt))) continue;
      const delay = spec.kind === "latency" || spec.kind === "slow-cold-start";
      const shadowed = !delay && (out?.throttle !== undefined || out?.outcome !== undefined);
      if (!this.fires(f, shadowed)) continue;
      out ??= { coldStartDelayMs: 0, latencyMs: 0 };
      if (spec.kind === "throttle") out.throttle = spec.reason;
      else if (spec.kind === "latency") out.latencyMs += spec.ms;
      else if (spec.kind === "slow-cold-start") out.coldStartDelayMs += spec.ms;
      else out.outcome = { fault: f, spec };
      const detail = spec.kind === "throttle" ? spec.reason : spec.kind === "error" ? spec.errorType : spec.kind === "latency" || spec.kind === "slow-cold-start" ? `${spec.ms} ms` : undefined;
      this.telemetry.emit({ type: "fault.fired", faultId: f.id, kind: spec.kind, functionName: s.functionName, ...(s.requestId === undefined ? {} : { requestId: s.requestId }), detail });
    }
    return out;
  }

  /**
   * The delivery-failure fault that fires for a destination or DLQ delivery, if any. `from` is whose
   * record it carries, matched as an invocation is (a source's own deliveries have none, so only
   * faults without `function`, `qualifier`, `source` or `mapping` reach them).
   */
  forDelivery(targetArn: string, from?: DeliveryOrigin): ActiveFault | undefined {
    for (const f of this.faults) {
      const spec = f.spec;
      if (spec.kind !== "delivery-failure" || !arnMatches(spec.target, targetArn)) continue;
      if (!this.inScope(f, from ?? {}) || !this.fires(f)) continue;
      this.telemetry.emit({ type: "fault.fired", faultId: f.id, kind: spec.kind, functionName: from?.functionName, targetArn });
      return f;
    }
    return undefined;
  }

  /** Active, and the subject is what the scope names; `payloadContains` is the invocation's own check (the schema refuses it for deliveries). */
  private inScope(f: ActiveFault, s: Partial<DeliveryOrigin>): boolean {
    const spec = f.spec;
    if (!this.active(f)) return false;
    if (spec.function !== undefined && (s.functionName === undefined || !functionMatches(spec.function, s.functionName))) return false;
    if (spec.qualifier !== undefined && spec.qualifier !== s.qualifier && spec.qualifier !== s.executedVersion) return false;
    if (spec.source !== undefined && (s.sourceArn === undefined || !arnMatches(spec.source, s.sourceArn))) return false;
    if (spec.mapping !== undefined && spec.mapping !== s.mappingUuid) return false;
    return true;
  }

  private active(f: ActiveFault): boolean {
    const now = this.clock.now();
    return now >= f.activeFrom && (f.activeUntil === undefined || now < f.activeUntil);
  }

  /** Counts a matching invocation and decides whether the fault fires on it. */
  private fires(f: ActiveFault, shadowed = false): boolean {
    const spec = f.spec;
    if (spec.times !== undefined && f.fired >= spec.times) return false;
    const n = ++f.matched;
    if (shadowed) return false;
    if (spec.nth !== undefined && !(Array.isArray(spec.nth) ? spec.nth.includes(n) : spec.nth === n)) return false;
    if (spec.fraction !== undefined && !(this.random.next() < spec.fraction)) return false;
    f.fired++;
    return true;
  }
}
