/**
 * An invocation's log as CloudWatch and `LogType: Tail` show it: the function's own output framed
 * by the platform's START / END / REPORT lines (aws-facts §2.5). Only the tail is kept: AWS returns
 * the last 4 KB (aws-facts §1.2), and a handler flooding stdout must not grow our memory.
 */
export const TAIL_BYTES = 4096;

export class InvocationLog {
  private parts: string[] = [];
  private size = 0;

  append(text: string): void {
    this.parts.push(text);
    this.size += text.length;
    // Compact once we hold twice what we need; amortised O(1) per append.
    if (this.size > TAIL_BYTES * 2) {
      const joined = this.parts.join("");
      const kept = joined.slice(joined.length - TAIL_BYTES - 1024);
      this.parts = [kept];
      this.size = kept.length;
    }
  }

  /** The last 4 KB (bytes of UTF-8) of everything appended, base64 for `X-Amz-Log-Result`. */
  tailBase64(): string {
    const bytes = Buffer.from(this.parts.join(""), "utf8");
    return bytes.subarray(Math.max(0, bytes.length - TAIL_BYTES)).toString("base64");
  }
}

export interface ReportFields {
  requestId: string;
  durationMs: number;
  billedDurationMs: number;
  memorySizeMb: number;
  maxMemoryUsedMb: number;
  initDurationMs?: number;
  /** Non-success only: timeout | error | failure (RIE handleReset mapping). */
  status?: "timeout" | "error" | "failure";
  errorType?: string;
}

export function startLine(requestId: string, version: string): string {
  return `START RequestId: ${requestId} Version: ${version}\n`;
}

export function endLine(requestId: string): string {
  return `END RequestId: ${requestId}\n`;
}

/** Tab-separated, ending with `\t\n`, optional fields in AWS's order (aws-facts §2.5). */
export function reportLine(r: ReportFields): string {
  let line =
    `REPORT RequestId: ${r.requestId}\tDuration: ${r.durationMs.toFixed(2)} ms\t` +
    `Billed Duration: ${r.billedDurationMs} ms\tMemory Size: ${r.memorySizeMb} MB\t` +
    `Max Memory Used: ${r.maxMemoryUsedMb} MB\t`;
  if (r.initDurationMs !== undefined) line += `Init Duration: ${r.initDurationMs.toFixed(2)} ms\t`;
  if (r.status !== undefined) {
    line += `Status: ${r.status}\t`;
    if (r.errorType !== undefined) line += `Error Type: ${r.errorType}\t`;
  }
  return `${line}\n`;
}

/**
 * Billed duration: rounded up to 1 ms (since Dec 2020); for on-demand functions the INIT phase is
 * billed too since 1 Aug 2025 (aws-facts §2.5, §12).
 */
export function billedDuration(durationMs: number, initDurationMs: number | undefined): number {
  // At least the 1 ms granularity: an injected or a 0 ms model outcome is billed as one.
  return Math.max(1, Math.ceil(durationMs + (initDurationMs ?? 0)));
}
