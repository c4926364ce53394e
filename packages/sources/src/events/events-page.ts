import { listPage, type ListPosition } from "@lambda-sim/core";
import { eventsErrors } from "../schedules/schedule-errors.ts";

/** ListRules, ListEventBuses, ListTargetsByRule: Limit 1-100 (botocore events 2015-10-07; the model's check), "The maximum number of results per page for requests is 100" (API reference). */
const MAX_PER_PAGE = 100;

/**
 * One page of an EventBridge listing (`{ [key]: items, NextToken }`), by an opaque NextToken that
 * names the position of the last item returned (core listPage): deleting the rules of a page
 * while paging, or putting new ones, skips nothing still there. A token not handed out is
 * `InvalidToken` (400), the error the API reference names for an expired one ("Using an expired
 * pagination token results in an HTTP 400 InvalidToken error", ListRules NextToken).
 */
export function eventsPage<T>(all: readonly T[], i: { Limit?: number; NextToken?: string }, key: string, listing: string, position: (item: T) => ListPosition): Record<string, unknown> {
  const p = listPage(all, { listing, position, count: i.Limit ?? MAX_PER_PAGE, token: i.NextToken, invalidToken: eventsErrors.invalidToken });
  return { [key]: p.items, NextToken: p.next };
}
