import { lambdaErrors } from "../../errors/lambda-errors.ts";
import type { RestRequest } from "../../protocols/rest-json.ts";
import { listPage, type ListPosition } from "../list-page.ts";
import { intInRange } from "./validation.ts";

export type { ListPosition } from "../list-page.ts";

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
 * Marker/MaxItems paging over the shared continuation tokens (api/list-page.ts): the marker names
 * the position of the last item returned, not an index, so deleting the items of a page while
 * paging (a cleanup loop, a Terraform sweeper) or creating new ones skips nothing that is still
 * there (AWS: "the pagination token that's returned by a previous request", ListFunctions API
 * reference). Only the page's items are shaped (`shape`).
 */
export function page<T>(items: readonly T[], req: RestRequest, key: string, spec: PageSpec<T>, shape: (item: T) => unknown = (item) => item) {
  const raw = req.query.get("MaxItems");
  const asked = raw === null ? undefined : intInRange(/^-?\d+$/.test(raw) ? Number(raw) : raw, "maxItems", 1, spec.maxItems);
  const count = Math.min(asked ?? spec.defaultItems ?? spec.perResponse ?? 50, spec.perResponse ?? Infinity);
  const p = listPage(items, { listing: key, position: spec.position, count, token: req.query.get("Marker"), invalidToken: () => lambdaErrors.invalidParameterValue(INVALID_MARKER_MESSAGE) });
  const body: Record<string, unknown> = { [key]: p.items.map((item) => shape(item)) };
  if (p.next !== undefined) body.NextMarker = p.next;
  return { body };
}

/**
 * A marker this listing did not hand out (garbage, another operation's) is refused rather than
 * read as "from the start", where a client loop with a corrupted marker would never end. AWS's
 * answer to one is unrecorded: our choice, InvalidParameterValueException (the code Lambda gives
 * a request parameter it cannot use).
 */
export const INVALID_MARKER_MESSAGE = "Invalid pagination marker.";

/** A version's place among its function's: $LATEST first, then 1, 2, 3 (ListVersionsByFunction's order, LS-API). */
export function versionPosition(version: string): number {
  return version === "$LATEST" ? 0 : Number(version);
}
