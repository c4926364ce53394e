import { lambdaErrors } from "../../errors/lambda-errors.ts";
import type { RestRequest } from "../../protocols/rest-json.ts";
import { intInRange } from "./validation.ts";

/** Where an item sits in its listing: items are listed in ascending order of it (compared member by member). */
export type ListPosition = readonly (string | number)[];

/** How one List operation pages (botocore lambda 2015-03-31, each operation's MaxItems). */
export interface PageSpec<T> {
  /** The item's position; no two items of one listing share one. */
  position: (item: T) => ListPosition;
  /** MaxItems' model range top (1..max); above it, a ValidationException as for any member out of range. */
  maxItems: number;
  /** The most items one response holds whatever MaxItems says, where the API reference gives one ("returns a maximum of 50 items in each response, even if you set the number higher"). */
  perResponse?: number;
  /** Items per response without MaxItems (default: perResponse, else 50). */
  defaultItems?: number;
}

/**
 * The API reference's words per operation. ListFunctions, ListVersionsByFunction and
 * ListFunctionUrlConfigs: at most 50 per response; ListEventSourceMappings: at most 100; the
 * layers, provisioned-concurrency and event-invoke-config lists take MaxItems 1-50; ListAliases
 * takes 1-10,000 with no per-response cap stated (without MaxItems, 50: AWS's default unrecorded).
 */
export const LIST_LIMITS = {
  ListFunctions: { maxItems: 10_000, perResponse: 50 },
  ListVersionsByFunction: { maxItems: 10_000, perResponse: 50 },
  ListAliases: { maxItems: 10_000 },
  ListEventSourceMappings: { maxItems: 10_000, perResponse: 100 },
  ListFunctionUrlConfigs: { maxItems: 50, perResponse: 50 },
  ListLayers: { maxItems: 50 },
  ListLayerVersions: { maxItems: 50 },
  ListProvisionedConcurrencyConfigs: { maxItems: 50 },
  ListFunctionEventInvokeConfigs: { maxItems: 50 },
} as const satisfies Record<string, Omit<PageSpec<unknown>, "position">>;

/**
 * Marker/MaxItems paging. The marker is an opaque continuation token naming the position of the
 * last item returned, not an index: the next page starts at the first item after it, so deleting
 * the items of a page while paging (a cleanup loop, a Terraform sweeper) or creating new ones
 * skips nothing that is still there (AWS: "the pagination token that's returned by a previous
 * request", ListFunctions API reference). Only the page's items are shaped (`shape`).
 */
export function page<T>(items: readonly T[], req: RestRequest, key: string, spec: PageSpec<T>, shape: (item: T) => unknown = (item) => item) {
  const positioned = items.map((item) => ({ item, at: spec.position(item) })).sort((a, b) => comparePositions(a.at, b.at));
  const raw = req.query.get("MaxItems");
  const asked = raw === null ? undefined : intInRange(/^-?\d+$/.test(raw) ? Number(raw) : raw, "maxItems", 1, spec.maxItems);
  const count = Math.min(asked ?? spec.defaultItems ?? spec.perResponse ?? 50, spec.perResponse ?? Infinity);
  const marker = req.query.get("Marker");
  let start = 0;
  if (marker !== null && marker !== "") {
    const after = decodeMarker(marker, key);
    start = positioned.findIndex((p) => comparePositions(p.at, after) > 0);
    if (start < 0) start = positioned.length;
  }
  const slice = positioned.slice(start, start + count);
  const body: Record<string, unknown> = { [key]: slice.map((p) => shape(p.item)) };
  if (start + count < positioned.length) body.NextMarker = encodeMarker(key, slice[slice.length - 1]!.at);
  return { body };
}

/** Member by member: numbers numerically, strings by code unit, a number before a string. */
export function comparePositions(a: ListPosition, b: ListPosition): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    if (typeof x !== typeof y) return typeof x === "number" ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

function encodeMarker(key: string, at: ListPosition): string {
  return Buffer.from(JSON.stringify({ k: key, a: at })).toString("base64url");
}

/**
 * A marker this listing did not hand out (garbage, another operation's) is refused rather than
 * read as "from the start", where a client loop with a corrupted marker would never end. AWS's
 * answer to one is unrecorded: our choice, InvalidParameterValueException (the code Lambda gives
 * a request parameter it cannot use).
 */
export const INVALID_MARKER_MESSAGE = "Invalid pagination marker.";

function decodeMarker(marker: string, key: string): ListPosition {
  let parsed: unknown;
  try {
    parsed = /^[A-Za-z0-9_-]+$/.test(marker) ? JSON.parse(Buffer.from(marker, "base64url").toString("utf8")) : undefined;
  } catch {
    parsed = undefined;
  }
  const p = parsed as { k?: unknown; a?: unknown } | undefined;
  if (p === undefined || p === null || typeof p !== "object" || p.k !== key || !Array.isArray(p.a) || p.a.length === 0 || !p.a.every((m) => typeof m === "string" || typeof m === "number")) {
    throw lambdaErrors.invalidParameterValue(INVALID_MARKER_MESSAGE);
  }
  return p.a as ListPosition;
}

/** A version's place among its function's: $LATEST first, then 1, 2, 3 (ListVersionsByFunction's order, LS-API). */
export function versionPosition(version: string): number {
  return version === "$LATEST" ? 0 : Number(version);
}
