import type { TelemetryEvent } from "./events.ts";

/**
 * What a run would have cost on AWS Lambda: requests and GB-seconds at each function's memory and
 * architecture, at AWS's published us-east-1 prices (aws-facts §12), first pricing tier, free tier
 * off. Billed Duration already includes Init for on-demand functions (aws-facts §2.5). An
 * invocation that ran on a provisioned-concurrency environment pays the request and Provisioned
 * Concurrency's lower duration price, as on AWS; the charge for the concurrency configured (per
 * GB-s from enable to disable, whether used or not) and ephemeral storage are not counted.
 */
export const LAMBDA_PRICES_US_EAST_1 = {
  /** $0.20 per million requests, both architectures, on-demand or provisioned. */
  perRequest: 0.0000002,
  /** $ per GB-second of duration, first tier (6 B GB-s x86 / 7.5 B arm64 a month). */
  perGbSecond: { x86_64: 0.0000166667, arm64: 0.0000133334 } as Record<string, number>,
  /**
   * $ per GB-second of duration for an invocation on provisioned concurrency: x86 $0.0000097222
   * (aws-facts §12; aws.amazon.com/lambda/pricing "Provisioned Concurrency Pricing"); Arm
   * $0.0000077778, AWS's Arm tab there, 20 % below x86 as aws-facts §12 says.
   */
  provisionedPerGbSecond: { x86_64: 0.0000097222, arm64: 0.0000077778 } as Record<string, number>,
};

export interface FunctionCost {
  requests: number;
  /** Of them, those that ran on a provisioned-concurrency environment (priced at its duration rate). */
  provisionedRequests: number;
  gbSeconds: number;
  /** Dollars: requests plus duration. */
  cost: number;
  memorySize: number;
  architecture: string;
}

export interface CostView {
  prices: typeof LAMBDA_PRICES_US_EAST_1;
  functions: Record<string, FunctionCost>;
  total: number;
}

/** Cost of one invocation (GB-s at MB/1024 x billed ms/1000); `provisioned`: it ran on provisioned concurrency. */
export function invocationCost(memorySize: number, architecture: string, billedDurationMs: number, provisioned = false): { gbSeconds: number; cost: number } {
  const gbSeconds = (memorySize / 1024) * (billedDurationMs / 1000);
  const rates = provisioned ? LAMBDA_PRICES_US_EAST_1.provisionedPerGbSecond : LAMBDA_PRICES_US_EAST_1.perGbSecond;
  const rate = rates[architecture] ?? rates.x86_64!;
  return { gbSeconds, cost: LAMBDA_PRICES_US_EAST_1.perRequest + gbSeconds * rate };
}

/** Adds up `invocation.finished` events per function since the simulator started. */
export class CostMeter {
  private readonly functions = new Map<string, FunctionCost>();
  /** The live provisioned-concurrency environments (their state-changed events say so). */
  private readonly provisioned = new Set<string>();
  private readonly configOf: (functionName: string, version: string) => { memorySize: number; architecture: string } | undefined;

  constructor(configOf: (functionName: string, version: string) => { memorySize: number; architecture: string } | undefined) {
    this.configOf = configOf;
  }

  record(e: TelemetryEvent): void {
    if (e.type === "environment.state-changed") {
      if (e.to === "retired") this.provisioned.delete(e.environmentId);
      else if (e.provisioned === true) this.provisioned.add(e.environmentId);
      return;
    }
    if (e.type !== "invocation.finished") return;
    const config = this.configOf(e.functionName, e.version) ?? { memorySize: 128, architecture: "x86_64" };
    let f = this.functions.get(e.functionName);
    if (f === undefined) this.functions.set(e.functionName, (f = { requests: 0, provisionedRequests: 0, gbSeconds: 0, cost: 0, ...config }));
    const provisioned = this.provisioned.has(e.environmentId);
    const c = invocationCost(config.memorySize, config.architecture, e.billedDurationMs, provisioned);
    f.requests++;
    if (provisioned) f.provisionedRequests++;
    f.gbSeconds += c.gbSeconds;
    f.cost += c.cost;
    f.memorySize = config.memorySize;
    f.architecture = config.architecture;
  }

  view(): CostView {
    const functions = Object.fromEntries([...this.functions].map(([k, v]) => [k, { ...v }]));
    return { prices: LAMBDA_PRICES_US_EAST_1, functions, total: Object.values(functions).reduce((n, f) => n + f.cost, 0) };
  }
}
