import type { Telemetry } from "../telemetry/telemetry.ts";

/**
 * A function's stdout and stderr: every byte goes to the current invocation's tail (bounded), and
 * to telemetry (the console, `lambda-sim tail`) up to a budget per invocation, so a handler that
 * floods stdout costs only its own log, never the simulator's memory or event loop.
 */
export const FORWARD_BUDGET_BYTES = 1024 * 1024;

export class OutputForwarder {
  private readonly telemetry: Telemetry;
  private readonly functionName: string;
  private readonly environmentId: string;
  private readonly toTail: (text: string) => void;
  private forwarded = 0;
  private dropped = 0;
  /** Node prints this when the heap cap (memorySize) is hit. */
  sawOutOfMemory = false;

  constructor(telemetry: Telemetry, functionName: string, environmentId: string, toTail: (text: string) => void) {
    this.telemetry = telemetry;
    this.functionName = functionName;
    this.environmentId = environmentId;
    this.toTail = toTail;
  }

  write(chunk: Buffer, requestId: string | undefined): void {
    const text = chunk.toString("utf8");
    this.toTail(text);
    if (!this.sawOutOfMemory && text.includes("heap out of memory")) this.sawOutOfMemory = true;
    if (this.forwarded >= FORWARD_BUDGET_BYTES) {
      this.dropped += chunk.length;
      return;
    }
    this.forwarded += chunk.length;
    this.emit(text, requestId);
  }

  /** Platform lines (START/END/REPORT) always go out. */
  platform(text: string, requestId: string): void {
    this.toTail(text);
    this.emit(text, requestId);
  }

  /** A new invocation starts a new budget; reports what the last one dropped. */
  resetBudget(requestId: string | undefined): void {
    if (this.dropped > 0) {
      this.emit(`[lambda-sim] ${this.dropped} bytes of function output not shown (over ${FORWARD_BUDGET_BYTES} bytes per invocation)\n`, requestId);
    }
    this.forwarded = 0;
    this.dropped = 0;
  }

  private emit(text: string, requestId: string | undefined): void {
    this.telemetry.emit({ type: "function.log", functionName: this.functionName, environmentId: this.environmentId, requestId, text });
  }
}
