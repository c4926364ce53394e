import type { SequencedEvent } from "./event-hub.ts";
import { supersededInFrame, type CompiledSubscription, type EventTexts } from "./hub-subscription.ts";
import { foldRoutine, type AsyncAttempts } from "./invocation-summary.ts";

/**
 * `{"kind":"events","events":[...]}` of `events`, the events `sub` takes since the client's last
 * frame (matched as they came: event-hub.ts), built from each event's one text (`texts`);
 * undefined if none. A coalesce subscriber is not sent what a later one of them hides
 * (supersededInFrame); a summarize subscriber gets the routine invocations summed (foldRoutine:
 * never an invocation that ended one of the `asyncAttempts`, and no summary straddling
 * `counted`, the seq of a views frame it was sent).
 */
export function eventsFrame(events: readonly SequencedEvent[], sub: CompiledSubscription, texts: EventTexts, asyncAttempts: AsyncAttempts, counted: number): string | undefined {
  // Only coalescing clients skip what a later event hides; the others get every event.
  const superseded = sub.coalesce ? supersededInFrame(events) : undefined;
  const folding = superseded && sub.summarize ? foldRoutine(events, superseded, asyncAttempts, counted) : undefined;
  let out = "";
  for (const e of events) {
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
