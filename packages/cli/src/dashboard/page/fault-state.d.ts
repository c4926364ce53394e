/** Whether a fault still fires (fault-state.js), as the page and `lambda-sim fault` say it. */
export function faultState(f: { times?: number | null; nth?: number | number[] | null; matched?: number; fired: number; activeFrom: string; activeUntil?: string | null }, now: number): { state: "used-up" | "ended" | "from" | "until" | "active"; at?: number };
