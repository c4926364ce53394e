import type { EventStore } from "./event-store.ts";
import type { RuleActivity } from "./rule-activity.ts";

/**
 * The `buses` view (the dashboard's snapshot and `GET /_sim/state`): the bus names, the number of
 * pattern rules and the deliveries waiting, and in `list` each bus with its pattern rules, their
 * targets and what they did since the simulator started. Scheduled rules are the schedules
 * source's (its `schedules` view). Read on every snapshot and sample: a few rules, one query.
 */
export function busesView(store: EventStore, ruleArn: (bus: string, name: string) => string, activity: RuleActivity) {
  const rules = store.rules();
  const buses = store.buses().map((b) => b.name);
  return {
    buses,
    rules: rules.length,
    pendingDeliveries: store.pending(),
    list: buses.map((bus) => ({
      name: bus,
      ...activity.bus(bus),
      rules: rules
        .filter((r) => r.bus === bus)
        .map((r) => {
          const arn = ruleArn(bus, r.name);
          return {
            name: r.name,
            arn,
            state: r.def.State,
            eventPattern: r.def.EventPattern,
            ...activity.rule(arn),
            targets: r.def.Targets.map((t) => ({
              id: t.Id,
              arn: t.Arn,
              deadLetterArn: t.DeadLetterConfig?.Arn,
              retryPolicy: t.RetryPolicy,
              ...activity.target(arn, t.Id),
            })),
          };
        }),
    })),
  };
}
