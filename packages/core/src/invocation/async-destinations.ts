import type { Clock } from "../clock/clock.ts";
import type { EventInvokeConfigs } from "../registry/event-invoke-configs.ts";
import type { FunctionRegistry } from "../registry/function-registry.ts";
import type { Telemetry } from "../telemetry/telemetry.ts";
import type { AsyncEvent, FinalCondition } from "./async-event.ts";
import type { TargetAttribute, TargetRegistry } from "./targets.ts";

type Destination = "OnSuccess" | "OnFailure" | "DeadLetterQueue";

/**
 * Where an ended event goes (aws-facts §5): OnSuccess / OnFailure destinations of the config for
 * the qualifier it was invoked with (function, version or alias), and on failure also the DLQ of
 * the version that ran (a version's DeadLetterConfig is part of its published configuration).
 * Delivery goes through the TargetRegistry; a failed delivery is reported in telemetry, never
 * silently dropped (AWS counts it in DestinationDeliveryFailures / DeadLetterErrors).
 */
export class AsyncDestinations {
  private readonly registry: FunctionRegistry;
  private readonly configs: EventInvokeConfigs;
  private readonly targets: () => TargetRegistry;
  private readonly telemetry: Telemetry;
  private readonly clock: Clock;

  /** `targets` is read at delivery time: sources register their kinds after core starts. */
  constructor(opts: { registry: FunctionRegistry; configs: EventInvokeConfigs; targets: () => TargetRegistry; telemetry: Telemetry; clock: Clock }) {
    this.registry = opts.registry;
    this.configs = opts.configs;
    this.targets = opts.targets;
    this.telemetry = opts.telemetry;
    this.clock = opts.clock;
  }

  destinations(event: AsyncEvent, condition: FinalCondition): { destination: Destination; arn: string }[] {
    const settings = this.configs.settings(event.functionName, event.qualifier);
    const out: { destination: Destination; arn: string }[] = [];
    if (condition === "Success") {
      if (settings.onSuccess !== undefined) out.push({ destination: "OnSuccess", arn: settings.onSuccess });
      return out;
    }
    if (settings.onFailure !== undefined) out.push({ destination: "OnFailure", arn: settings.onFailure });
    const dlq = this.deadLetterTarget(event);
    if (dlq !== undefined) out.push({ destination: "DeadLetterQueue", arn: dlq });
    return out;
  }

  async deliver(event: AsyncEvent, condition: FinalCondition): Promise<void> {
    const targets = this.targets();
    await Promise.all(
      this.destinations(event, condition).map(async ({ destination, arn }) => {
        const base = { requestId: event.requestId, functionName: event.functionName, destination, targetArn: arn };
        try {
          const from = { functionName: event.functionName, qualifier: event.qualifier, executedVersion: this.versionOf(event) };
          if (destination === "DeadLetterQueue") await targets.deliver(arn, event.payload.toString("utf8"), deadLetterAttributes(event), undefined, from);
          else await targets.deliver(arn, JSON.stringify(this.record(event, condition)), undefined, undefined, from);
          this.telemetry.emit({ type: "async.delivered", ...base });
        } catch (e) {
          this.telemetry.emit({ type: "async.delivery-failed", ...base, error: e instanceof Error ? e.message : String(e) });
        }
      }),
    );
  }

  record(event: AsyncEvent, condition: FinalCondition): InvocationRecord {
    return invocationRecord(event, condition, `${this.registry.arn(event.functionName)}:${event.qualifier ?? "$LATEST"}`, this.clock.now(), this.versionOf(event));
  }

  /** The DLQ of the version that ran last (or would run: an alias's primary version). */
  private deadLetterTarget(event: AsyncEvent): string | undefined {
    if (!this.registry.has(event.functionName)) return undefined;
    const rec = this.registry.get(event.functionName);
    const version = this.versionOf(event);
    return (version === "$LATEST" ? rec.latest : rec.versions.get(version))?.deadLetterTargetArn;
  }

  private versionOf(event: AsyncEvent): string {
    if (event.lastResponse !== undefined) return event.lastResponse.executedVersion;
    const q = event.qualifier ?? "$LATEST";
    if (!this.registry.has(event.functionName)) return q;
    return this.registry.get(event.functionName).aliases.get(q)?.functionVersion ?? q;
  }
}

/** The invocation record of aws-facts §5 (AWS-recorded shape). */
export interface InvocationRecord {
  version: "1.0";
  timestamp: string;
  requestContext: { requestId: string; functionArn: string; condition: FinalCondition; approximateInvokeCount: number };
  requestPayload: unknown;
  responseContext: { statusCode: number; executedVersion: string; functionError?: string };
  responsePayload?: unknown;
}

/**
 * Builds the record. An event that never ran (reserved concurrency 0, or throttled until it aged
 * out) has no response: lambda-sim reports the throttle's 429 there (AWS's record for this case
 * is unconfirmed) and leaves responsePayload out.
 */
export function invocationRecord(event: AsyncEvent, condition: FinalCondition, functionArn: string, now: number, executedVersion: string): InvocationRecord {
  const r = event.lastResponse;
  const record: InvocationRecord = {
    version: "1.0",
    timestamp: new Date(now).toISOString(),
    requestContext: { requestId: event.requestId, functionArn, condition, approximateInvokeCount: event.invocations },
    requestPayload: parseJson(event.payload.toString("utf8")),
    responseContext: r === undefined ? { statusCode: 429, executedVersion } : { statusCode: r.statusCode, executedVersion: r.executedVersion },
  };
  // functionError is omitted on success (aws-facts §5).
  if (r?.functionError !== undefined) record.responseContext.functionError = r.functionError;
  if (r !== undefined) record.responsePayload = parseJson(r.payload);
  return record;
}

/**
 * DLQ message attributes (aws-facts §5): RequestID, ErrorCode (the value AWS sends is the invoke
 * status, "200"; 429 when the function never ran) and ErrorMessage (its first 1 KB).
 */
export function deadLetterAttributes(event: AsyncEvent): Record<string, TargetAttribute> {
  const r = event.lastResponse;
  const parsed = r === undefined ? undefined : parseJson(r.payload);
  const message = typeof parsed === "object" && parsed !== null && typeof (parsed as { errorMessage?: unknown }).errorMessage === "string" ? (parsed as { errorMessage: string }).errorMessage : (r?.payload ?? "Rate Exceeded.");
  return {
    RequestID: { DataType: "String", StringValue: event.requestId },
    ErrorCode: { DataType: "Number", StringValue: String(r?.statusCode ?? 429) },
    ErrorMessage: { DataType: "String", StringValue: message.slice(0, 1024) || "-" },
  };
}

/** Payloads are JSON (Invoke checks it); a response that is not is kept as text. */
function parseJson(text: string): unknown {
  if (text === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
