import { expandShortName, loadMigrations, registerShortName, namesInTable, type Source, type SourceContext } from "@lambda-sim/core";
import { busConfigSchema, ruleDefinition, type BusConfig } from "./bus-config.ts";
import { busNames, busOperations, DEFAULT_BUS } from "./bus-operations.ts";
import { busesView } from "./buses-view.ts";
import { EventStore, type NewDelivery } from "./event-store.ts";
import { EventTags, tagOperations } from "./event-tags.ts";
import { extendEventsProtocol } from "./events-protocol.ts";
import { isoSecond, putEvents, route, type RoutedEvent } from "./put-events.ts";
import { RuleActivity } from "./rule-activity.ts";
import { RuleIndex } from "./rule-index.ts";
import { DeliveryWorker } from "./target-delivery.ts";

registerShortName("events", (name, region, accountId) => `arn:aws:events:${region}:${accountId}:event-bus/${name}`);

/**
 * EventBridge buses (DESIGN.md `Source`): CreateEventBus and the rest, pattern rules and their
 * targets, PutEvents and TestEventPattern on the one EventBridge API (events-protocol.ts), the
 * `events:` Target for destinations, and `buses:` in lambda-sim.yaml. Start it after the
 * schedules source: scheduled rules stay there, and the calls about them are passed on.
 *
 * PutEvents stores one delivery per matched target before answering; the DeliveryWorker delivers
 * them on the Clock, with the targets' retry policies and dead-letter queues, and resumes them
 * after a restart.
 */
export const eventsSource: Source<BusConfig> = {
  name: "events",
  configKey: "buses",
  configSchema: busConfigSchema,
  migrations: loadMigrations("events", new URL("./migrations/", import.meta.url)),
  namesInState: (store) => ({ bus: namesInTable(store, "events_buses") }),
  start(ctx, config) {
    const store = new EventStore(ctx.store);
    const names = busNames(ctx.region, ctx.accountId);
    const now = () => ctx.clock.now();
    if (store.bus(DEFAULT_BUS) === undefined) store.putBus(DEFAULT_BUS, undefined, now());
    declare(ctx, store, config ?? {});
    const rules = new RuleIndex(store, names.ruleArn);
    const ids = ctx.rng.stream("event-ids");
    const activity = new RuleActivity(ctx.telemetry);
    const routed = (events: readonly RoutedEvent[]) => {
      for (const { bus, event, rules: matched } of events) {
        activity.report({ type: "events.routed", busName: bus, eventId: String(event.id), source: String(event.source), detailType: String(event["detail-type"]), rules: matched });
      }
    };
    const busOf = (v: string | undefined) => {
      const bus = names.nameOf(v);
      return store.bus(bus) === undefined ? undefined : bus;
    };
    /** Accepts a whole event into `busArn` (bus-to-bus targets, destinations). */
    const accept = (busArn: string, event: Record<string, unknown>) => {
      const bus = busOf(busArn);
      if (bus === undefined) throw new Error(`Event bus ${names.nameOf(busArn)} does not exist.`);
      const into: NewDelivery[] = [];
      const matched = route({ rules }, bus, event, now(), into);
      store.addDeliveries(into, now());
      routed([{ bus, event, rules: matched }]);
      if (into.length > 0) worker.kick();
    };
    const commits = ctx.store.commits;
    const worker = new DeliveryWorker(ctx.clock, store, ctx, ctx.rng.stream("events-retry-jitter"), (arn, event) => accept(arn, JSON.parse(event) as Record<string, unknown>), activity);
    const tags = new EventTags(ctx.store);
    extendEventsProtocol(ctx, (scheduled) => ({
      ...busOperations({ store, rules, clock: ctx.clock, names, accountId: ctx.accountId, scheduled, tags }),
      ...tagOperations({ tags, store, region: ctx.region, accountId: ctx.accountId, scheduled }),
      PutEvents: (i) => {
        // A front-door arrival, so the async queue running the Lambda targets yields to PutEvents
        // (issue 16). Delivery chunks stay whole: each is one commit, and smaller ones under load
        // measured slower for both accepting and delivering (bench/fanout/events).
        ctx.frontDoor.arrived();
        return putEvents({ clock: ctx.clock, ids, store, commits, rules, region: ctx.region, accountId: ctx.accountId, busOf, delivered: () => worker.kick(), routed }, i.Entries);
      },
    }));
    ctx.registerTarget("events", { deliver: async (arn, body) => accept(arn, destinationEvent(ctx, ids.uuid(), arn, body)) });
    ctx.addStateView("buses", () => busesView(store, names.ruleArn, activity));
    // Deliveries accepted before a restart go out again.
    worker.kick();
    return {
      stop: () => {
        commits.flush(); // PutEvents calls read before the stop are answered, as committed
        worker.stop();
      },
    };
  },
};

/**
 * The event a Lambda destination puts on a bus (aws-facts §5): the invocation record as `detail`,
 * source `lambda`, a Success or Failure detail-type, the bus and the function as resources.
 */
function destinationEvent(ctx: SourceContext, id: string, busArn: string, body: string): Record<string, unknown> {
  const record = JSON.parse(body) as { requestContext?: { condition?: string; functionArn?: string } };
  const outcome = record.requestContext?.condition === "Success" ? "Success" : "Failure";
  return {
    version: "0",
    id,
    "detail-type": `Lambda Function Invocation Result - ${outcome}`,
    source: "lambda",
    account: ctx.accountId,
    time: isoSecond(ctx.clock.now()),
    region: ctx.region,
    resources: [busArn, record.requestContext?.functionArn].filter((r) => r !== undefined),
    detail: record,
  };
}

/** Buses and rules from lambda-sim.yaml: the file is authoritative for what it declares. */
function declare(ctx: SourceContext, store: EventStore, config: BusConfig): void {
  const arnOf = (ref: string) => expandShortName(ref, ctx.region, ctx.accountId);
  for (const [bus, declared] of Object.entries(config)) {
    if (store.bus(bus) === undefined || store.bus(bus)!.description !== declared.description) store.putBus(bus, declared.description, ctx.clock.now());
    for (const [name, r] of Object.entries(declared.rules)) store.putRule(bus, name, ruleDefinition(r, arnOf));
  }
}
