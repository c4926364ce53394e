/** The page's state of topics and buses (fanout-model.js), as far as tests read it. */
export interface FanoutCounts {
  delivered: number;
  failed: number;
  retrying: number;
  deadLettered: number;
  dropped: number;
}
export interface FanoutState {
  countedTo: number;
  topics: Map<string, { name: string; published: number; subscriptions: Map<string, FanoutCounts & { endpoint: string; filteredOut: number }> }>;
  buses: Map<string, { name: string; accepted: number; rules: Map<string, { name: string; matched: number; targets: Map<string, FanoutCounts> }> }>;
  recent: { kind: "sns" | "events"; requestId?: string; id: string }[];
}
export const FANOUT_EVENTS: string[];
export function createFanout(): FanoutState;
export function applyFanoutViews(f: FanoutState, views: Record<string, unknown>, seq: number | undefined, time: number): void;
export function applyFanoutEvent(f: FanoutState, e: { type: string; seq?: number; time: number }, history: boolean): boolean;
