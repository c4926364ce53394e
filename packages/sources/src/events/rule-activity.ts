import type { Telemetry, TelemetryEventInput } from "@lambda-sim/core";
import { DeliveryCounts, type DeliveryCountsView } from "../delivery-counts.ts";

export type BusEvent = Extract<TelemetryEventInput, { type: "events.routed" | "events.delivered" | "events.delivery-failed" }>;

/**
 * What the buses did since the simulator started: events accepted per bus, events matched per
 * rule, and per rule target what became of its deliveries. Every EventBridge telemetry event
 * goes out through `report`, which counts it in the same step, so the dashboard's snapshot (the
 * `buses` view) agrees with the events numbered before it.
 */
export class RuleActivity {
  private readonly telemetry: Pick<Telemetry, "emit">;
  private readonly accepted = new Map<string, number>();
  private readonly matched = new Map<string, number>();
  private readonly deliveries = new DeliveryCounts();

  constructor(telemetry: Pick<Telemetry, "emit">) {
    this.telemetry = telemetry;
  }

  report(e: BusEvent): void {
    switch (e.type) {
      case "events.routed":
        this.accepted.set(e.busName, (this.accepted.get(e.busName) ?? 0) + 1);
        for (const r of e.rules) this.matched.set(r, (this.matched.get(r) ?? 0) + 1);
        break;
      case "events.delivered":
        this.deliveries.delivered(targetKey(e.ruleArn, e.targetId), e.eventId);
        break;
      case "events.delivery-failed":
        this.deliveries.failed(targetKey(e.ruleArn, e.targetId), e.eventId, { retrying: e.retryInMs !== undefined, deadLettered: e.deadLetterArn !== undefined });
        break;
    }
    this.telemetry.emit(e);
  }

  bus(name: string): { accepted: number } {
    return { accepted: this.accepted.get(name) ?? 0 };
  }

  rule(ruleArn: string): { matched: number } {
    return { matched: this.matched.get(ruleArn) ?? 0 };
  }

  target(ruleArn: string, targetId: string): DeliveryCountsView {
    return this.deliveries.view(targetKey(ruleArn, targetId));
  }
}

const targetKey = (ruleArn: string, targetId: string) => `${ruleArn}\n${targetId}`;
