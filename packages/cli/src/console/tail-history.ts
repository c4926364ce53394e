import type { HubFrame, SequencedEvent } from "@lambda-sim/core";

type Snapshot = Extract<HubFrame, { kind: "snapshot" }>;

/** What a snapshot holds that tail has not printed, and what to say about it on stderr. */
export interface Missed {
  events: SequencedEvent[];
  /** Said on stderr before their lines, when any is printed. */
  note?: string;
}

/**
 * Which events `lambda-sim tail` has printed, across its reconnections (newuser14 F20). Every
 * connection starts with a snapshot whose `recent` list holds the simulator's last events (300);
 * the events frames after it carry on from its `seq`.
 *
 * - First connection: the dead-letter moves among them. A restarted simulator's mappings move the
 *   messages whose receive counts ran out as it starts, before anyone can connect; the start
 *   console printed them and the page lists them from its snapshot, so tail shows them too.
 * - Reconnection to a new run of the simulator (a restart: the `started` view changed; its events are
 *   numbered from 1 again): every recent event, which all happened since tail lost the old one.
 * - Reconnection to the same run: the events after the last one tail printed, none twice.
 */
export class TailHistory {
  private run: string | undefined;
  private seq = 0;
  private connections = 0;

  /** An events frame's event, printed (or filtered out) as it came. */
  printed(seq: number): void {
    if (seq > this.seq) this.seq = seq;
  }

  /** The events of a connection's snapshot to print before its live events. */
  missed(snapshot: Snapshot): Missed {
    const run = startId(snapshot.views.started);
    const first = this.connections++ === 0;
    // An older simulator without the view: a run that numbers lower than tail got to is a new one.
    const sameRun = !first && (run !== undefined && this.run !== undefined ? run === this.run : snapshot.seq >= this.seq);
    const after = this.seq;
    this.run = run;
    this.seq = snapshot.seq;
    const recent = snapshot.recent ?? [];
    if (first) {
      const moves = recent.filter((e) => e.type === "message.moved-to-dlq");
      return { events: moves, note: "messages moved to a dead-letter queue before tail connected (the simulator's recent events):" };
    }
    const events = sameRun ? recent.filter((e) => e.seq > after) : recent;
    // The recent list is bounded: say how many events it no longer holds.
    const firstHeld = events[0]?.seq ?? snapshot.seq + 1;
    const lost = firstHeld - (sameRun ? after : 0) - 1;
    const since = sameRun ? "while tail was reconnecting" : "since the simulator started again";
    return { events, note: `what happened ${since}${lost > 0 ? ` (${lost} earlier events are not shown)` : ""}:` };
  }
}

/** The `started` view (core-views.ts): one start of the simulator. */
function startId(view: unknown): string | undefined {
  if (typeof view !== "object" || view === null) return undefined;
  const { id } = view as { id?: unknown };
  return typeof id === "string" ? id : undefined;
}
