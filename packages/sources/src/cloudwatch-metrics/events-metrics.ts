import type { TelemetryEvent } from "@lambda-sim/core";
import type { Dimension, MetricStore } from "./metric-store.ts";

const NS = "AWS/Events";

/**
 * EventBridge's rule metrics (AWS/Events, EventBridge user guide "Monitoring Amazon EventBridge")
 * from `events.routed`, with the dimension sets the guide gives them:
 * - MatchedEvents, "the number of events that matched with any rule": account level (no
 *   dimension) and per `EventBusName`;
 * - TriggeredRules, "the number of rules that have run and matched with any event": per rule,
 *   `RuleName` for the default bus, `EventBusName` + `RuleName` for a custom bus ("metrics that
 *   specify both ... refer to a custom event bus").
 * Neither depends on the rule's targets, so a rule without targets counts its matches too. Like
 * AWS ("you won't see this metric ... until a rule is triggered"), nothing is published before a match.
 */
export class EventsMetrics {
  private readonly store: MetricStore;

  constructor(store: MetricStore) {
    this.store = store;
  }

  readonly onEvent = (e: TelemetryEvent): void => {
    if (e.type !== "events.routed" || e.rules.length === 0) return;
    this.store.record(NS, "MatchedEvents", [], 1, "Count");
    this.store.record(NS, "MatchedEvents", [{ Name: "EventBusName", Value: e.busName }], 1, "Count");
    for (const arn of e.rules) this.store.record(NS, "TriggeredRules", ruleDimensions(arn), 1, "Count");
  };
}

/** `arn:...:rule/NAME` (default bus) → RuleName; `arn:...:rule/BUS/NAME` → EventBusName + RuleName. */
function ruleDimensions(ruleArn: string): Dimension[] {
  const path = ruleArn.slice(ruleArn.indexOf(":rule/") + 6).split("/");
  return path.length === 1 ? [{ Name: "RuleName", Value: path[0]! }] : [{ Name: "EventBusName", Value: path[0]! }, { Name: "RuleName", Value: path.slice(1).join("/") }];
}
