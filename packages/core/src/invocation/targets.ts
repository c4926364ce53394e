import { lambdaErrors } from "../errors/lambda-errors.ts";
import type { FaultInjector } from "../faults/fault-injector.ts";
import { arnService } from "../text/arn-fields.ts";

/**
 * A message attribute as SQS (and the DLQ record of aws-facts §5) carries it; SNS raw delivery
 * forwards custom types (`Number.float`, `String.Array`) and binary values (base64) too.
 */
export interface TargetAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

/**
 * Per-delivery parameters some targets take: EventBridge's `SqsParameters` for FIFO queues and
 * `KinesisParameters` for streams, and
 * what an SNS FIFO topic's delivery to a FIFO queue keeps (its group and deduplication id).
 */
export interface DeliveryOptions {
  messageGroupId?: string;
  messageDeduplicationId?: string;
  /** The X-Ray trace the message came with (an SNS Publish's): an SQS target keeps it as AWSTraceHeader. */
  traceHeader?: string;
  /** A Kinesis stream target's partition key (EventBridge's `KinesisParameters`; the event id by default). */
  partitionKey?: string;
}

/**
 * Whose record a delivery carries (an async destination or DLQ, a stream mapping's on-failure
 * record), so that a delivery-failure fault's scope (`function`, `qualifier`, `source`, `mapping`)
 * picks its deliveries as it picks invocations. It only scopes faults: targets never see it.
 */
export interface DeliveryOrigin {
  functionName: string;
  /** The qualifier the function was invoked with (alias or version), if any. */
  qualifier?: string;
  /** The version that ran, which a fault's `qualifier` also matches (as for invocations). */
  executedVersion?: string;
  sourceArn?: string;
  mappingUuid?: string;
}

/** Where a destination or DLQ record goes (DESIGN.md `Target`): sources register their kind. */
export interface Target {
  /** Delivers `body` (JSON text) to the resource `arn`; rejects when it cannot (telemetry reports it). */
  deliver(arn: string, body: string, attributes?: Record<string, TargetAttribute>, options?: DeliveryOptions): Promise<void>;
}

/**
 * Targets by the service named in the ARN (`arn:aws:<service>:...`). Core knows no source: SQS,
 * SNS or EventBridge register themselves; `lambda` is core's own (an asynchronous invocation).
 */
export class TargetRegistry {
  private readonly targets = new Map<string, Target>();
  private readonly faults: FaultInjector | undefined;

  /** `faults`: delivery-failure faults make matching deliveries reject, as an unreachable target would. */
  constructor(faults?: FaultInjector) {
    this.faults = faults;
  }

  register(service: string, target: Target): void {
    this.targets.set(service, target);
  }

  has(arn: string): boolean {
    return this.targets.has(arnService(arn));
  }

  /** `from`: whose record this is (a source's own deliveries have none); delivery-failure faults are scoped by it. */
  deliver(arn: string, body: string, attributes?: Record<string, TargetAttribute>, options?: DeliveryOptions, from?: DeliveryOrigin): Promise<void> {
    const target = this.targets.get(arnService(arn));
    if (target === undefined) return Promise.reject(lambdaErrors.invalidParameterValue(`lambda-sim has no target for ${arn}`));
    const fault = this.faults?.forDelivery(arn, from);
    if (fault !== undefined && fault.spec.kind === "delivery-failure") return Promise.reject(new Error(fault.spec.message));
    return target.deliver(arn, body, attributes, options);
  }
}
