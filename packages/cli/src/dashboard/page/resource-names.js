// How the page names what a template created: by the logical id the class reads in template.yaml,
// the name it became beside it or in its tooltip (a generated name holds the stack's, the folder's:
// `sam-app-OrdersQueue-1A2B3C4D5E6F`). From the snapshot's `logicalIds` (functions) and
// `resourceIds` (queues, streams, topics, buses, rules, schedules) views (start-config.ts); plain names otherwise.
import { esc } from "./format.js";

/**
 * A logical id that may break between its words (`Consume<wbr>Order<wbr>Function`): a narrow column
 * on a projector wraps it there, not mid-word, and never pushes the columns after it off-screen (newuser14 F4).
 */
const humps = (id) => esc(id).replace(/([a-z0-9])(?=[A-Z])/g, "$1<wbr>");

/**
 * A function's name: with the template's logical id first when it came from one
 * (`NodeFn (ws-NodeFn-JY7VEIQWCHG4)`), the id that `tail --function` and `invoke` take (newuser10 N3-2).
 */
export function fnLabel(m, fn) {
  const id = m.logicalIds?.get(fn);
  return id === undefined || id === fn ? esc(fn) : `<span class="logical-id">${humps(id)}</span> <small class="physical-name">(${esc(fn)})</small>`;
}

/** A function, queue, stream, topic, bus, rule or schedule (`kind`) by its logical id, the name it became in the tooltip: table cells stay narrow. */
export function named(m, kind, name) {
  const id = kind === "function" ? m.logicalIds?.get(name) : m.resourceIds?.[kind]?.get(name);
  return id === undefined || id === name ? esc(name) : `<span class="logical-id" title="${esc(name)}">${humps(id)}</span>`;
}

const KINDS = { sqs: "queue", kinesis: "stream", sns: "topic", bus: "bus", lambda: "function" };

/** A source or endpoint label (`sqs:orders`, `lambda:fn`: format.js name(), fanout-render.js shortName()) with its resource by logical id: `sqs:OrdersQueue`. */
export function sourceNamed(m, label) {
  const colon = label.indexOf(":");
  const kind = KINDS[label.slice(0, colon)];
  return kind === undefined ? esc(label) : `${esc(label.slice(0, colon + 1))}${named(m, kind, label.slice(colon + 1))}`;
}

/**
 * An invocation's `via` (invocation-via.js rowVia) with its resources by logical id: `sqs:OrdersQueue`,
 * `events:rule/TickFunctionEvery5`, `schedule:Nightly`; a front's route (`HTTP POST /orders`) as it is.
 */
export function viaNamed(m, label) {
  // <wbr>: a narrow column breaks after the prefix, not inside the name.
  const rule = /^events:rule\/(?:([^/]+)\/)?([^/]+)$/.exec(label);
  if (rule !== null) return `events:rule/<wbr>${rule[1] === undefined ? "" : `${named(m, "bus", rule[1])}/<wbr>`}${named(m, "rule", rule[2])}`;
  const schedule = /^schedule:(?:([^/]+)\/)?([^/]+)$/.exec(label);
  if (schedule !== null) return `schedule:<wbr>${schedule[1] === undefined ? "" : `${esc(schedule[1])}/<wbr>`}${named(m, "schedule", schedule[2])}`;
  return sourceNamed(m, label).replace(/^([a-z]+:)/, "$1<wbr>");
}

/** The `resourceIds` view as the page keeps it: per kind, name → logical id. */
export function resourceIdsOf(view) {
  return Object.fromEntries(Object.entries(view).map(([kind, ids]) => [kind, new Map(Object.entries(ids))]));
}
