import type { Telemetry, TelemetryEventInput } from "@lambda-sim/core";
import { DeliveryCounts, type DeliveryCountsView } from "../delivery-counts.ts";

export type SnsEvent = Extract<TelemetryEventInput, { type: "sns.published" | "sns.delivered" | "sns.delivery-failed" }>;

/**
 * What the topics did since the simulator started: messages published per topic, and per
 * subscription the messages its filter policy kept out and what became of its deliveries. Every
 * SNS telemetry event goes out through `report`, which counts it in the same step, so the
 * dashboard's snapshot (the `topics` view) agrees with the events numbered before it.
 */
export class TopicActivity {
  private readonly telemetry: Pick<Telemetry, "emit">;
  private readonly published = new Map<string, number>();
  private readonly filteredOut = new Map<string, number>();
  private readonly deliveries = new DeliveryCounts();

  constructor(telemetry: Pick<Telemetry, "emit">) {
    this.telemetry = telemetry;
  }

  report(e: SnsEvent): void {
    switch (e.type) {
      case "sns.published":
        this.published.set(e.topicArn, (this.published.get(e.topicArn) ?? 0) + 1);
        for (const s of e.filteredOut ?? []) this.filteredOut.set(s, (this.filteredOut.get(s) ?? 0) + 1);
        break;
      case "sns.delivered":
        this.deliveries.delivered(e.subscriptionArn, e.messageId);
        break;
      case "sns.delivery-failed":
        this.deliveries.failed(e.subscriptionArn, e.messageId, { retrying: e.retryInMs !== undefined, deadLettered: e.deadLetterArn !== undefined });
        break;
    }
    this.telemetry.emit(e);
  }

  topic(topicArn: string): { published: number } {
    return { published: this.published.get(topicArn) ?? 0 };
  }

  subscription(subscriptionArn: string): DeliveryCountsView & { filteredOut: number } {
    return { ...this.deliveries.view(subscriptionArn), filteredOut: this.filteredOut.get(subscriptionArn) ?? 0 };
  }
}
