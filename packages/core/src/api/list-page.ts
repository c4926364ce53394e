/** Where an item sits in its listing: items are listed in ascending order of it (compared member by member). */
export type ListPosition = readonly (string | number)[];

/** How one call of a List operation pages. */
export interface ListPageRequest<T> {
  /**
   * Names the listing a token belongs to: the operation, and whatever scopes or orders it (a
   * topic, a log group, a sort order). A token of another listing is refused as not handed out.
   */
  listing: string;
  /** The item's position; no two items of one listing share one. */
  position: (item: T) => ListPosition;
  /** The most items this response holds. */
  count: number;
  /** The continuation token the caller sent (absent or empty: from the start). */
  token: string | null | undefined;
  /** The service's answer to a token it did not hand out (garbage, another listing's). */
  invalidToken: () => Error;
  /** Listed in descending order of position (DescribeLogStreams `descending`). */
  descending?: boolean;
}

/**
 * One page of a listing, by continuation token. The token is opaque and names the position of the
 * last item returned, not an index: the next page starts at the first item after it, so deleting
 * the items of a page while paging (the "list a page, delete it, continue" cleanup loop that boto3
 * paginators, Terraform sweepers and test teardowns run) or creating new ones skips nothing that is
 * still there. AWS documents its tokens only as "the token returned by a previous call" (every
 * List API reference); none is a position a client may compute.
 *
 * A token that does not decode to this listing's is answered with `invalidToken()`, not read as
 * "from the start", where a client loop with a corrupted token would never end.
 */
export function listPage<T>(items: readonly T[], r: ListPageRequest<T>): { items: T[]; next?: string } {
  const sign = r.descending === true ? -1 : 1;
  const positioned = items.map((item) => ({ item, at: r.position(item) })).sort((a, b) => sign * comparePositions(a.at, b.at));
  let start = 0;
  if (r.token !== undefined && r.token !== null && r.token !== "") {
    const after = decodeListToken(r.token, r.listing);
    if (after === undefined) throw r.invalidToken();
    start = positioned.findIndex((p) => sign * comparePositions(p.at, after) > 0);
    if (start < 0) start = positioned.length;
  }
  const count = Math.max(1, r.count);
  const slice = positioned.slice(start, start + count);
  const out: { items: T[]; next?: string } = { items: slice.map((p) => p.item) };
  if (start + count < positioned.length) out.next = encodeListToken(r.listing, slice[slice.length - 1]!.at);
  return out;
}

/** Member by member: numbers numerically, strings by code unit, a number before a string; a prefix first. */
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

/** base64url of `{"k": listing, "a": position}`: URL- and query-safe, so no client needs to escape it. */
export function encodeListToken(listing: string, at: ListPosition): string {
  return Buffer.from(JSON.stringify({ k: listing, a: at })).toString("base64url");
}

/** The position a token names, or undefined when it is not a token of `listing`. */
export function decodeListToken(token: string, listing: string): ListPosition | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  const p = parsed as { k?: unknown; a?: unknown } | null;
  if (p === null || typeof p !== "object" || p.k !== listing || !Array.isArray(p.a) || p.a.length === 0) return undefined;
  if (!p.a.every((m) => typeof m === "string" || (typeof m === "number" && Number.isFinite(m)))) return undefined;
  return p.a as ListPosition;
}
