import type { TelemetryEvent } from "@lambda-sim/core";

/**
 * How an event's line names what it is about. The start console and `tail --long` write every
 * name in full (`workshop-ConsumeOrderFunction-S52YZ67CBQTD:$LATEST`, whole request ids); `tail`
 * by default writes them as the dashboard page does (newuser14 F14): a template's resources by
 * their logical id, `:$LATEST` only beside a function that has published versions, and request,
 * message and event ids by their first 8 characters, so the common lines fit a terminal of ~100
 * columns beside the page on a projector.
 */
export interface LineNames {
  /** false: the long forms (console, `tail --long`, `tail --json` prints events as they are). */
  readonly short: boolean;
  /** A function, with its version or qualifier when there is one to tell. */
  fn(name: string, qualifier?: string): string;
  /** A queue, stream, topic, bus, rule or schedule by its name. */
  resource(kind: ResourceKind, name: string): string;
  /** An ARN (or `sqs:NAME`) as `sqs:OrdersQueue`, `lambda:TickFunction`. */
  source(arn: string): string;
  /** A request, message or event id. */
  id(id: string): string;
}

export type ResourceKind = "queue" | "stream" | "topic" | "bus" | "rule" | "schedule";

/** `arn:aws:sqs:us-east-1:000000000000:orders` → `sqs:orders`; a function's `arn:…:function:NAME` → `lambda:NAME` (as lambda-sim.yaml writes it). */
export function sourceName(arn: string): string {
  const p = arn.split(":");
  if (p.length < 6) return arn;
  // DESIGN.md "Config": resources are `sqs:NAME`, `kinesis:NAME`, `lambda:NAME`; not `lambda:function:NAME` (newuser14 F14).
  const rest = p[2] === "lambda" && p[5] === "function" ? p.slice(6) : p.slice(5);
  return `${p[2]}:${rest.join(":").replace(/^stream\//, "")}`;
}

/** Every name in full: the start console's lines and `tail --long`. */
export const LONG_NAMES: LineNames = {
  short: false,
  fn: (name, qualifier) => (qualifier === undefined ? name : `${name}:${qualifier}`),
  resource: (_kind, name) => name,
  source: sourceName,
  id: (id) => id,
};

const SERVICE_KINDS: Record<string, ResourceKind | "function"> = { sqs: "queue", kinesis: "stream", sns: "topic", lambda: "function" };

/**
 * tail's short names. Fed the snapshot's views (`logicalIds`: function name → logical id;
 * `resourceIds`: kind → name → logical id, published when the simulator runs a template, as the
 * page reads them; `functions`: each function's published versions), then the events that
 * publish versions.
 */
export class ShortNames implements LineNames {
  readonly short = true;
  private functionIds = new Map<string, string>();
  private resourceIds: Partial<Record<ResourceKind, Map<string, string>>> = {};
  private readonly versioned = new Set<string>();

  /** A snapshot's views: what the simulator's template named, and which functions have versions. */
  useViews(views: Record<string, unknown>): void {
    // A simulator started without a template (after one with it) has neither view: plain names.
    const ids = views.logicalIds;
    this.functionIds = isRecord(ids) ? new Map(Object.entries(ids).filter((e): e is [string, string] => typeof e[1] === "string")) : new Map();
    const others = views.resourceIds;
    this.resourceIds = {};
    if (isRecord(others)) {
      for (const [kind, byName] of Object.entries(others)) {
        if (isRecord(byName)) this.resourceIds[kind as ResourceKind] = new Map(Object.entries(byName).filter((e): e is [string, string] => typeof e[1] === "string"));
      }
    }
    if (Array.isArray(views.functions)) {
      this.versioned.clear();
      for (const f of views.functions as { name?: unknown; versions?: unknown }[]) {
        if (typeof f.name === "string" && Array.isArray(f.versions) && f.versions.some((v) => v !== "$LATEST")) this.versioned.add(f.name);
      }
    }
  }

  /** An event that changes how a function is named: its first published version. */
  note(e: TelemetryEvent): void {
    if (e.type === "function.changed" && e.change === "published") this.versioned.add(e.functionName);
  }

  fn(name: string, qualifier?: string): string {
    const label = this.functionIds.get(name) ?? name;
    // `:$LATEST` says nothing while it is the only version (newuser14 F14).
    if (qualifier === undefined || (qualifier === "$LATEST" && !this.versioned.has(name))) return label;
    return `${label}:${qualifier}`;
  }

  resource(kind: ResourceKind, name: string): string {
    // SAM's scheduled events are EventBridge rules; a `schedule.delivered` may name either.
    if (kind === "schedule") return this.resourceIds.schedule?.get(name) ?? this.resourceIds.rule?.get(name) ?? name;
    return this.resourceIds[kind]?.get(name) ?? name;
  }

  source(arn: string): string {
    const label = sourceName(arn);
    const colon = label.indexOf(":");
    const kind = SERVICE_KINDS[label.slice(0, colon)];
    if (kind === undefined) return label;
    const rest = label.slice(colon + 1);
    if (kind !== "function") return `${label.slice(0, colon)}:${this.resource(kind, rest)}`;
    const [name = rest, qualifier] = rest.split(":");
    return `lambda:${this.fn(name, qualifier)}`;
  }

  id(id: string): string {
    return id.slice(0, 8);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
