import type { Store } from "@lambda-sim/core";

/** A rule's target in AWS's names, stored as PutTargets received it. */
export interface EventTarget {
  Id: string;
  Arn: string;
  RoleArn?: string;
  Input?: string;
  InputPath?: string;
  InputTransformer?: { InputPathsMap?: Record<string, string>; InputTemplate: string };
  RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
  DeadLetterConfig?: { Arn?: string };
  SqsParameters?: { MessageGroupId?: string };
  /** The partition key of a Kinesis stream target's records: a JSON path into the event (the event id by default). */
  KinesisParameters?: { PartitionKeyPath?: string };
  // The other *Parameters of AWS's Target shape are kept too and listed back as put (bus-operations.ts TARGET_MEMBERS).
}

export interface RuleDefinition {
  EventPattern: string;
  State: "ENABLED" | "DISABLED";
  Description?: string;
  RoleArn?: string;
  Targets: EventTarget[];
}

export interface BusRecord {
  name: string;
  description: string | undefined;
  createdAt: number;
  modifiedAt: number;
}

export interface RuleRecord {
  bus: string;
  name: string;
  def: RuleDefinition;
}

/** A delivery PutEvents is about to store: one per target of each matching rule. */
export interface NewDelivery {
  ruleArn: string;
  target: EventTarget;
  body: string;
  event: string;
}

export interface Delivery {
  id: number;
  ruleArn: string;
  target: EventTarget;
  body: string;
  event: string;
  acceptedAt: number;
  attempts: number;
  dueAt: number;
}

interface DeliveryRow {
  id: number;
  rule_arn: string;
  target: string;
  body: string;
  event: string;
  accepted_at: number;
  attempts: number;
  due_at: number;
}

/** The events source's tables (migrations/0001-events.sql): one statement per named transition. */
export class EventStore {
  private readonly store: Store;
  private readonly q;

  constructor(store: Store) {
    this.store = store;
    const db = store.db;
    this.q = {
      bus: db.prepare<[string], { name: string; description: string | null; created_at: number; modified_at: number }>("SELECT * FROM events_buses WHERE name = ?"),
      buses: db.prepare<[], { name: string; description: string | null; created_at: number; modified_at: number }>("SELECT * FROM events_buses ORDER BY name"),
      putBus: db.prepare("INSERT INTO events_buses (name, description, created_at, modified_at) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET description = excluded.description, modified_at = excluded.modified_at"),
      deleteBus: db.prepare("DELETE FROM events_buses WHERE name = ?"),
      rule: db.prepare<[string, string], { definition: string }>("SELECT definition FROM events_rules WHERE bus = ? AND name = ?"),
      rules: db.prepare<[], { bus: string; name: string; definition: string }>("SELECT bus, name, definition FROM events_rules ORDER BY bus, name"),
      putRule: db.prepare("INSERT INTO events_rules (bus, name, definition) VALUES (?, ?, ?) ON CONFLICT (bus, name) DO UPDATE SET definition = excluded.definition"),
      deleteRule: db.prepare("DELETE FROM events_rules WHERE bus = ? AND name = ?"),
      addDelivery: db.prepare("INSERT INTO events_deliveries (rule_arn, target, body, event, accepted_at, due_at) VALUES (?, ?, ?, ?, ?, ?)"),
      due: db.prepare<[number, number], DeliveryRow>("SELECT * FROM events_deliveries WHERE due_at <= ? ORDER BY due_at, id LIMIT ?"),
      nextDue: db.prepare<[], { due_at: number }>("SELECT due_at FROM events_deliveries ORDER BY due_at LIMIT 1"),
      deleteDelivery: db.prepare("DELETE FROM events_deliveries WHERE id = ?"),
      retryDelivery: db.prepare("UPDATE events_deliveries SET attempts = ?, due_at = ? WHERE id = ?"),
      pending: db.prepare<[], { n: number }>("SELECT count(*) AS n FROM events_deliveries"),
    };
  }

  bus(name: string): BusRecord | undefined {
    const r = this.q.bus.get(name);
    return r && { name: r.name, description: r.description ?? undefined, createdAt: r.created_at, modifiedAt: r.modified_at };
  }

  buses(): BusRecord[] {
    return this.q.buses.all().map((r) => ({ name: r.name, description: r.description ?? undefined, createdAt: r.created_at, modifiedAt: r.modified_at }));
  }

  putBus(name: string, description: string | undefined, now: number): void {
    this.q.putBus.run(name, description ?? null, now, now);
  }

  deleteBus(name: string): void {
    this.q.deleteBus.run(name);
  }

  rule(bus: string, name: string): RuleRecord | undefined {
    const r = this.q.rule.get(bus, name);
    return r && { bus, name, def: JSON.parse(r.definition) as RuleDefinition };
  }

  rules(): RuleRecord[] {
    return this.q.rules.all().map((r) => ({ bus: r.bus, name: r.name, def: JSON.parse(r.definition) as RuleDefinition }));
  }

  putRule(bus: string, name: string, def: RuleDefinition): void {
    this.q.putRule.run(bus, name, JSON.stringify(def));
  }

  deleteRule(bus: string, name: string): void {
    this.q.deleteRule.run(bus, name);
  }

  /** Deliveries of one PutEvents call, in one transaction: durable before the call answers. */
  addDeliveries(items: readonly NewDelivery[], now: number): void {
    if (items.length === 0) return;
    this.store.transaction(() => {
      for (const d of items) this.q.addDelivery.run(d.ruleArn, JSON.stringify(d.target), d.body, d.event, now, now);
    });
  }

  due(now: number, limit: number): Delivery[] {
    return this.q.due.all(now, limit).map((r) => ({ id: r.id, ruleArn: r.rule_arn, target: JSON.parse(r.target) as EventTarget, body: r.body, event: r.event, acceptedAt: r.accepted_at, attempts: r.attempts, dueAt: r.due_at }));
  }

  nextDueAt(): number | undefined {
    return this.q.nextDue.get()?.due_at;
  }

  delivered(id: number): void {
    this.q.deleteDelivery.run(id);
  }

  /** Runs `fn` in one transaction: what it starts synchronously commits once. */
  inTransaction<T>(fn: () => T): T {
    return this.store.transaction(fn);
  }

  deliveredAll(ids: readonly number[]): void {
    if (ids.length === 0) return;
    this.store.transaction(() => {
      for (const id of ids) this.q.deleteDelivery.run(id);
    });
  }

  retryAt(id: number, attempts: number, dueAt: number): void {
    this.q.retryDelivery.run(attempts, dueAt, id);
  }

  pending(): number {
    return this.q.pending.get()!.n;
  }
}
