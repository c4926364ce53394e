import type { SequencedEvent } from "./event-hub.ts";
import { supersededInFrame, type CompiledSubscription, type EventTexts } from "./hub-subscription.ts";
import { foldRoutine } from "./invocation-summary.ts";

/**
 * `{"kind":"events","events":[...]}` of `events` after `from` that `sub` wants,
 * built from each event's one text (`texts`); undefined if none. A coalesce subscriber is not sent
 * what a later one of them hides (supersededInFrame); a summarize subscriber gets the
 * routine invocations summed (foldRoutine: never the `attemptFinishes` of async
 * attempts, and no summary straddling `counted`, the seq of a views frame it was sent).
 */
export function eventsFrame(events: readonly SequencedEvent[], from: number, sub: CompiledSubscription, texts: EventTexts, attemptFinishes: Set<object>, counted: number): string | undefined {
  // Only coalescing clients skip what a later event hides; the others get every event.
  const superseded = sub.coalesce ? supersededInFrame(events, sub) : undefined;
  const folding = superseded && sub.summarize ? foldRoutine(events, from, sub, superseded, attemptFinishes, counted) : undefined;
  let out = "";
  for (const e of events) {
    if (e.seq <= from || !sub.matches(e)) continue;
    if (folding?.folded.has(e)) {
      const summary = folding.summaries.get(e);
      if (summary !== undefined) out += (out === "" ? "" : ",") + JSON.stringify(summary);
      continue;
    }
    // A client that asked for previews still gets a warm start's payload.
    if (superseded?.has(e) && !(sub.previews && e.type === "invocation.started")) continue;
    out += (out === "" ? "" : ",") + texts.text(e, sub.previews, sub.compact);
  }
  return out === "" ? undefined : `{"kind":"events","events":[${out}]}`;
}
