import { simGet } from "../client/sim-get.ts";
import type { LogicalNames, NamedKind } from "../template/logical-names.ts";

/** The event source `tail --source X` follows, and what to tell the user about it on stderr. */
export interface TailSource {
  source: string;
  note?: string;
}

type SourceKind = Extract<NamedKind, "queue" | "stream" | "topic" | "bus">;

/** `sqs:NAME`-style prefixes, as destinations, faults and scenarios spell references (DESIGN.md "Config"). */
const PREFIXES: Record<string, SourceKind> = { sqs: "queue", kinesis: "stream", sns: "topic", events: "bus" };
const KINDS: readonly SourceKind[] = ["queue", "stream", "topic", "bus"];

/** What `/_sim/state` says the simulator has (only the parts read here). */
interface State {
  queues?: { name: string }[];
  streams?: { name: string }[];
  topics?: { name: string }[];
  buses?: { buses?: string[] };
}

/**
 * `tail --source X`, as `--function` takes a name: X is a queue, stream, topic or bus by its own
 * name (`shop-bus`, `sqs:orders`) or, when the simulator was started from a template, by its
 * logical id (`ShopBus`, `OrdersTopic`, `sqs:OrdersQueue`), which becomes the name the events
 * carry. A name the simulator has nothing for is still followed (it may be created later), with a
 * note listing what it has, rather than printing nothing forever. An ARN is taken as written.
 */
export async function tailSource(endpoint: string, written: string, headers: Record<string, string>): Promise<TailSource> {
  if (written.startsWith("arn:")) return { source: written };
  const [state, template] = await Promise.all([simGet<State>(endpoint, "/_sim/state", headers), simGet<{ names?: LogicalNames }>(endpoint, "/_sim/template", headers)]);
  // No simulator, or one that refuses the token: the events socket says which.
  if (state === undefined) return { source: written };
  const colon = written.indexOf(":");
  const prefix = colon < 0 ? undefined : written.slice(0, colon);
  const kinds = prefix !== undefined && Object.hasOwn(PREFIXES, prefix) ? [PREFIXES[prefix]!] : colon < 0 ? KINDS : undefined;
  // Another `service:` (a mapping's `lambda:`...) is matched loosely, as written.
  if (kinds === undefined) return { source: written };
  const name = prefix !== undefined && kinds.length === 1 ? written.slice(colon + 1) : written;
  const has = (kind: SourceKind) => namesOf(state, kind);
  if (kinds.some((k) => has(k)?.includes(name))) return { source: written };
  const logical = template?.names?.[name];
  if (logical !== undefined && (kinds as readonly string[]).includes(logical.kind)) {
    const source = prefix === undefined ? logical.name : `${prefix}:${logical.name}`;
    return { source, note: `${name} is the template's logical id of ${logical.kind} ${logical.name}` };
  }
  // A kind whose source is not loaded cannot be checked: say nothing rather than something wrong.
  if (kinds.some((k) => has(k) === undefined)) return { source: written };
  const ids = Object.entries(template?.names ?? {}).flatMap(([id, n]) => ((kinds as readonly string[]).includes(n.kind) ? [id] : []));
  const all = [...kinds.flatMap((k) => (has(k) ?? []).map((n) => (prefix === undefined ? n : `${prefix}:${n}`))), ...ids];
  const what = kinds.length === 1 ? kinds[0]! : "queue, stream, topic or bus";
  return { source: written, note: `no ${what} named '${name}' (the simulator has: ${all.join(", ") || "none yet"}); its events are shown if it is created later` };
}

function namesOf(state: State, kind: SourceKind): string[] | undefined {
  switch (kind) {
    case "queue":
      return state.queues?.map((q) => q.name);
    case "stream":
      return state.streams?.map((s) => s.name);
    case "topic":
      return state.topics?.map((t) => t.name);
    case "bus":
      // EventBridge's default bus comes with the account.
      return state.buses?.buses === undefined ? undefined : [...new Set([...state.buses.buses, "default"])];
  }
}
