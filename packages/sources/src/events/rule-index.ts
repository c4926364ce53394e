import { compilePattern, type EventMatcher } from "@lambda-sim/core";
import type { EventStore, RuleRecord } from "./event-store.ts";

interface Compiled {
  rule: RuleRecord;
  arn: string;
  match: EventMatcher;
}

/**
 * The enabled pattern rules of each bus, compiled once (patterns/event-pattern.ts) and rebuilt
 * when a rule or bus changes, so PutEvents matches without parsing a pattern.
 */
export class RuleIndex {
  private byBus = new Map<string, Compiled[]>();
  private readonly store: EventStore;
  private readonly ruleArn: (bus: string, name: string) => string;

  constructor(store: EventStore, ruleArn: (bus: string, name: string) => string) {
    this.store = store;
    this.ruleArn = ruleArn;
    this.rebuild();
  }

  rebuild(): void {
    const byBus = new Map<string, Compiled[]>();
    for (const rule of this.store.rules()) {
      // A rule without targets still matches: AWS counts it in MatchedEvents and TriggeredRules
      // (EventBridge user guide, Monitoring: neither metric depends on a target); it delivers nothing.
      if (rule.def.State !== "ENABLED") continue;
      const list = byBus.get(rule.bus) ?? [];
      list.push({ rule, arn: this.ruleArn(rule.bus, rule.name), match: compilePattern(rule.def.EventPattern) });
      byBus.set(rule.bus, list);
    }
    this.byBus = byBus;
  }

  /** The rules of `bus` whose pattern the event matches. */
  matching(bus: string, event: Record<string, unknown>): Compiled[] {
    const rules = this.byBus.get(bus);
    if (rules === undefined) return [];
    return rules.filter((r) => r.match(event));
  }
}
