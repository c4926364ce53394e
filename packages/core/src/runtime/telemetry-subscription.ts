import { hostname, networkInterfaces } from "node:os";
import type { TimerHandle } from "../clock/clock.ts";

export type TelemetryStream = "platform" | "function" | "extension";

/** One record as both APIs deliver it: `{ time, type, record }`. */
export interface TelemetryRecord {
  time: string;
  type: string;
  record: unknown;
}

interface Limits {
  maxItems: [min: number, max: number, dflt: number];
  maxBytes: [min: number, max: number, dflt: number];
  timeoutMs: [min: number, max: number, dflt: number];
}

/**
 * The two subscription APIs and their buffering limits ("Telemetry API reference", "Logs API"):
 * the Logs API's default is 10,000 items, the Telemetry API's 1,000.
 */
export const SUBSCRIPTION_APIS = {
  "/2022-07-01/telemetry": { kind: "telemetry", limits: { maxItems: [1000, 10000, 1000], maxBytes: [262144, 1048576, 262144], timeoutMs: [25, 30000, 1000] } },
  "/2020-08-15/logs": { kind: "logs", limits: { maxItems: [1000, 10000, 10000], maxBytes: [262144, 1048576, 262144], timeoutMs: [25, 30000, 1000] } },
} as const satisfies Record<string, { kind: string; limits: Limits }>;

/** One extension's subscription to one of the two APIs, with what is buffered for it. */
export interface Subscription {
  extension: string;
  kind: "telemetry" | "logs";
  url: URL;
  types: Set<TelemetryStream>;
  maxItems: number;
  maxBytes: number;
  timeoutMs: number;
  buffer: TelemetryRecord[];
  /** Each buffered record's JSON size, and their sum. */
  sizes: number[];
  bytes: number;
  /** Records dropped since the last platform.logsDropped, and their bytes. */
  dropped: { records: number; bytes: number };
  /** Its drops were reported to the console once (a subscriber without `platform` is never told). */
  dropsWarned: boolean;
  timer: TimerHandle | undefined;
  /** The batch on its way: at most one per subscriber, so batches arrive in order. */
  sending: Promise<void> | undefined;
  /** The Shutdown phase's flush is delivering this subscriber's backlog: no other send starts. */
  draining: boolean;
  /**
   * Aborted when the subscription ends with the extension process that made it (killed by a reset,
   * a suppressed init's retry, a retirement) or with the environment: its batch on its way stops,
   * and no other is sent.
   */
  ended: AbortController;
}

/**
 * Whether `url` reaches the simulator's own port (`endpoint`): any loopback name or address, the
 * sandbox's names (its loopback address) or the endpoint's own host, on the endpoint's port.
 */
export function reachesSimulator(url: URL, endpoint: string): boolean {
  const own = new URL(endpoint);
  if ((url.port || "80") !== (own.port || "80")) return false;
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, "");
  return (
    host === own.hostname.toLowerCase().replace(/^\[|\]$/g, "") ||
    host === "localhost" ||
    host.endsWith(".localhost") ||
    host === "sandbox" ||
    host === "sandbox.localdomain" ||
    /^127\.\d+\.\d+\.\d+$/.test(host) ||
    /^::ffff:(?:127\.|7f[0-9a-f]{2}:)/.test(host) ||
    host === "::1" ||
    host === "0.0.0.0" ||
    host === "::" ||
    machineAddresses().has(host)
  );
}

let addresses: Set<string> | undefined;
/**
 * This machine's own names and interface addresses: a simulator listening on every interface
 * (`--host 0.0.0.0`) is reached through any of them (review: a LAN address slipped past the loopback
 * names). Read once: an address the machine gains later is not looked up again.
 */
function machineAddresses(): Set<string> {
  if (addresses !== undefined) return addresses;
  addresses = new Set([hostname().toLowerCase()]);
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) addresses.add(a.address.toLowerCase().replace(/%.*$/, ""));
  return addresses;
}

/**
 * A new subscription from a subscribe request's body, or why it is refused (a ValidationError's
 * message). `endpoint`: the simulator's own address, never a destination (fuzz19 F16): on AWS the
 * listener is inside the execution environment (Telemetry API reference: `sandbox.localdomain`),
 * so no subscriber can make the service POST to a Lambda endpoint; here one pointed at Invoke
 * would invoke its own function with each batch, for ever.
 */
export function parseSubscription(extension: string, kind: "telemetry" | "logs", body: Buffer | undefined, limits: Limits, endpoint?: string): Subscription | string {
  let input: any;
  try {
    input = JSON.parse((body ?? Buffer.alloc(0)).toString("utf8"));
  } catch {
    return "Invalid request body: not JSON";
  }
  const destination = input?.destination;
  // lambda-sim delivers over HTTP only; TCP destinations are refused, saying so.
  if (destination?.protocol !== "HTTP") return `destination.protocol must be HTTP (lambda-sim does not deliver over ${destination?.protocol ?? "nothing"})`;
  let url: URL;
  try {
    url = new URL(destination.URI);
  } catch {
    return "destination.URI must be an http:// URL";
  }
  // AWS's answer to a destination outside the sandbox is unrecorded: a 400 ValidationError like
  // the other refusals, naming the rule (our choice).
  if (endpoint !== undefined && reachesSimulator(url, endpoint)) return `destination.URI must be a listener in the execution environment, not lambda-sim's own endpoint (${url.host})`;
  const types = input.types;
  if (!Array.isArray(types) || types.length === 0 || types.some((t: unknown) => t !== "platform" && t !== "function" && t !== "extension")) {
    return "types must be a non-empty list of platform, function and extension";
  }
  const b = input.buffering ?? {};
  const out: Subscription = {
    extension,
    kind,
    url,
    types: new Set<TelemetryStream>(types),
    maxItems: 0,
    maxBytes: 0,
    timeoutMs: 0,
    buffer: [],
    sizes: [],
    bytes: 0,
    dropped: { records: 0, bytes: 0 },
    dropsWarned: false,
    timer: undefined,
    sending: undefined,
    draining: false,
    ended: new AbortController(),
  };
  for (const key of ["maxItems", "maxBytes", "timeoutMs"] as const) {
    const [min, max, dflt] = limits[key];
    const v = b[key] ?? dflt;
    if (!Number.isInteger(v) || v < min || v > max) return `buffering.${key} must be an integer between ${min} and ${max}`;
    out[key] = v;
  }
  return out;
}

/** Function and extension records may be dropped when a subscriber falls behind; platform records never are. */
export function droppable(r: TelemetryRecord): boolean {
  return !r.type.startsWith("platform.");
}

/**
 * What a dropped record counts in droppedBytes: its log line's bytes, not our `{time,type,record}`
 * envelope around it. AWS does not document which it counts (our choice: the log's own size).
 */
export function logBytes(r: TelemetryRecord): number {
  return Buffer.byteLength(typeof r.record === "string" ? r.record : JSON.stringify(r.record));
}
