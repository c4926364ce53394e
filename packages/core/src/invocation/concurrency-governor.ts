import type { Clock } from "../clock/clock.ts";
import { lambdaErrors } from "../errors/lambda-errors.ts";
import type { Telemetry } from "../telemetry/telemetry.ts";

/** ThrottleReason values of botocore's lambda model (aws-facts §1.4). */
export type ThrottleReason =
  | "ConcurrentInvocationLimitExceeded"
  | "FunctionInvocationRateLimitExceeded"
  | "ReservedFunctionConcurrentInvocationLimitExceeded"
  | "ReservedFunctionInvocationRateLimitExceeded"
  | "CallerRateLimitExceeded";

export interface Lease {
  /** Idempotent: releasing twice frees one slot. */
  release(): void;
}

/** A throttle is a value, not an exception: callers decide what it means for them (§4). */
export type Admission = { ok: true; lease: Lease } | { ok: false; reason: ThrottleReason };

export interface GovernorSettings {
  /** Account concurrency (aws-facts §4: 1,000 per region by default). */
  accountLimit: number;
  /** Concurrency that must stay unreserved (AWS: 100; low-quota accounts see less). */
  unreservedMinimum: number;
  /** New environments a function may add per `scalingWindowMs` (AWS since Nov 2023: 1,000 per 10 s). */
  scalingLimit: number;
  scalingWindowMs: number;
  /**
   * "per-function" (AWS since 26 Nov 2023): each function adds scalingLimit environments per window.
   * "account-burst" (before): an account-wide initial burst (3,000 / 1,000 / 500 by region), then
   * +500 environments per minute shared by all functions (aws-facts §4).
   */
  scalingMode: "per-function" | "account-burst";
  /** account-burst only: the region's initial burst. */
  burst: number;
}

/** Pre-Nov-2023 initial burst by region (aws-facts §4). */
export function regionBurst(region: string): number {
  if (["us-east-1", "us-west-2", "eu-west-1"].includes(region)) return 3000;
  if (["ap-northeast-1", "eu-central-1", "us-east-2"].includes(region)) return 1000;
  return 500;
}

export const AWS_GOVERNOR_SETTINGS: GovernorSettings = {
  accountLimit: 1000,
  unreservedMinimum: 100,
  scalingLimit: 1000,
  scalingWindowMs: 10_000,
  scalingMode: "per-function",
  burst: 3000,
};

interface FunctionState {
  inFlight: number;
  reserved: number | undefined;
  /** Scaling-rate bucket: tokens and the service time they were counted at. */
  tokens: number;
  refilledAt: number;
}

/**
 * Admission control (DESIGN.md `ConcurrencyGovernor`, aws-facts §4): the account limit shared by
 * unreserved functions, reserved concurrency that both guarantees and caps a function (0 throttles
 * everything), and the per-function scaling rate, a bucket refilled continuously on the Clock.
 */
export class ConcurrencyGovernor {
  readonly settings: GovernorSettings;
  private readonly clock: Clock;
  private readonly telemetry: Telemetry;
  private readonly functions = new Map<string, FunctionState>();
  private unreservedInFlight = 0;
  private accountInFlight = 0;
  /** account-burst mode: the one bucket all functions share. */
  private readonly accountBucket: FunctionState;
  private reservedTotal = 0;

  constructor(clock: Clock, telemetry: Telemetry, settings: Partial<GovernorSettings> = {}) {
    this.clock = clock;
    this.telemetry = telemetry;
    const accountLimit = settings.accountLimit ?? AWS_GOVERNOR_SETTINGS.accountLimit;
    this.settings = {
      accountLimit,
      // A small account keeps nothing reservable by default rather than a negative pool.
      unreservedMinimum: settings.unreservedMinimum ?? Math.min(AWS_GOVERNOR_SETTINGS.unreservedMinimum, accountLimit),
      scalingLimit: settings.scalingLimit ?? AWS_GOVERNOR_SETTINGS.scalingLimit,
      scalingWindowMs: settings.scalingWindowMs ?? AWS_GOVERNOR_SETTINGS.scalingWindowMs,
      scalingMode: settings.scalingMode ?? AWS_GOVERNOR_SETTINGS.scalingMode,
      burst: settings.burst ?? AWS_GOVERNOR_SETTINGS.burst,
    };
    this.accountBucket = { inFlight: 0, reserved: undefined, tokens: this.settings.burst, refilledAt: clock.now() };
  }

  /**
   * Admits one invocation of `functionName`. `newEnvironment` says whether it needs a cold start,
   * which draws on the scaling rate.
   */
  admit(functionName: string, qualifier: string, newEnvironment: boolean, caller?: string): Admission {
    const f = this.state(functionName);
    let reason: ThrottleReason | undefined;
    if (f.reserved !== undefined) {
      if (f.inFlight >= f.reserved) reason = "ReservedFunctionConcurrentInvocationLimitExceeded";
    } else if (this.unreservedInFlight >= this.settings.accountLimit - this.reservedTotal) {
      reason = "ConcurrentInvocationLimitExceeded";
    }
    if (reason === undefined && newEnvironment && !this.takeScalingToken(f)) {
      // AWS does not document the Reason for scaling-rate throttles; the account-level one is closest.
      reason = "ConcurrentInvocationLimitExceeded";
    }
    if (reason !== undefined) return this.refuse(functionName, qualifier, reason, caller);
    f.inFlight++;
    this.accountInFlight++;
    const unreserved = f.reserved === undefined;
    if (unreserved) this.unreservedInFlight++;
    // The counts travel with the event, so its subscribers read nothing else and it can wait
    // for the server's next quiet moment like the invocation's other events (Telemetry.deferred).
    if (this.telemetry.active) {
      const admitted = {
        type: "invocation.admitted",
        functionName,
        qualifier,
        newEnvironment,
        concurrentExecutions: f.inFlight,
        accountConcurrentExecutions: this.accountInFlight,
        unreservedConcurrentExecutions: this.unreservedInFlight,
      } as const;
      this.telemetry.deferred(() => this.telemetry.emit(admitted));
    }
    let released = false;
    return {
      ok: true,
      lease: {
        release: () => {
          if (released) return;
          released = true;
          f.inFlight--;
          this.accountInFlight--;
          if (unreserved) this.unreservedInFlight--;
        },
      },
    };
  }

  /**
   * A refusal, told as every throttle is (the console line, the Throttles metric, the dashboard):
   * the governor's own, and an injected `throttle` fault's, which AWS would have been the one to give.
   */
  refuse(functionName: string, qualifier: string, reason: ThrottleReason, caller?: string): { ok: false; reason: ThrottleReason } {
    this.telemetry.emit({ type: "invocation.throttled", functionName, qualifier, reason, caller });
    return { ok: false, reason };
  }

  /** PutFunctionConcurrency: refuses a reservation that would break the unreserved minimum. */
  setReserved(functionName: string, reserved: number | undefined): void {
    const f = this.state(functionName);
    const others = this.reservedTotal - (f.reserved ?? 0);
    if (reserved !== undefined && this.settings.accountLimit - (others + reserved) < this.settings.unreservedMinimum) {
      throw lambdaErrors.invalidParameterValue(
        `Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${this.settings.unreservedMinimum}].`,
      );
    }
    // Invocations in flight move between pools with the function.
    if (f.reserved === undefined && reserved !== undefined) this.unreservedInFlight -= f.inFlight;
    if (f.reserved !== undefined && reserved === undefined) this.unreservedInFlight += f.inFlight;
    f.reserved = reserved;
    this.reservedTotal = others + (reserved ?? 0);
  }

  reserved(functionName: string): number | undefined {
    return this.functions.get(functionName)?.reserved;
  }

  /** Forgets a deleted function (its reservation returns to the pool). */
  remove(functionName: string): void {
    this.setReserved(functionName, undefined);
    this.functions.delete(functionName);
  }

  /** GetAccountSettings' AccountLimit figures. */
  accountLimits(): { ConcurrentExecutions: number; UnreservedConcurrentExecutions: number } {
    return { ConcurrentExecutions: this.settings.accountLimit, UnreservedConcurrentExecutions: this.settings.accountLimit - this.reservedTotal };
  }

  inFlight(functionName?: string): number {
    if (functionName !== undefined) return this.functions.get(functionName)?.inFlight ?? 0;
    return this.accountInFlight;
  }

  private state(name: string): FunctionState {
    let f = this.functions.get(name);
    if (f === undefined) {
      f = { inFlight: 0, reserved: undefined, tokens: this.settings.scalingLimit, refilledAt: this.clock.now() };
      this.functions.set(name, f);
    }
    return f;
  }

  /**
   * Continuous refill, unused rate never accumulating past the bucket (§4): per function,
   * scalingLimit per window; in account-burst mode one shared bucket of `burst`, +500 per minute.
   */
  private takeScalingToken(f: FunctionState): boolean {
    const accountWide = this.settings.scalingMode === "account-burst";
    const bucket = accountWide ? this.accountBucket : f;
    const capacity = accountWide ? this.settings.burst : this.settings.scalingLimit;
    const rate = accountWide ? 500 / 60_000 : this.settings.scalingLimit / this.settings.scalingWindowMs;
    const now = this.clock.now();
    bucket.tokens = Math.min(capacity, bucket.tokens + (now - bucket.refilledAt) * rate);
    bucket.refilledAt = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
