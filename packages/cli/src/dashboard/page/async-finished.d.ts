/** One finished async event (async-finished.js): its outcomes in order, newest rows first. */
export interface FinishedRow {
  requestId: string;
  functionName: string;
  outcomes: { where: string; detail: string }[];
}
export const KEEP_FINISHED: number;
export function asyncOutcome(e: { type: string }): [string, string] | undefined;
export function successOutcome(attempt: number | undefined): [string, string];
export function addOutcome(rows: FinishedRow[], e: { requestId: string; functionName: string }, where: string, detail: string): FinishedRow;
export function plainSuccess(f: FinishedRow): boolean;
export function rowWhere(f: FinishedRow): string;
export function rowDetail(f: FinishedRow): string;
