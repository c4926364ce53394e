import type { SequencedEvent } from "@lambda-sim/core";

/** The event an item of an `events` frame stands for (an array in the compact form); `fields`: the last `compact` frame's. */
export function decodeEvent(item: unknown, fields: readonly (readonly string[])[]): SequencedEvent;
