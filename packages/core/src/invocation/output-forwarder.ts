import type { Telemetry } from "../telemetry/telemetry.ts";

/**
 * A function's stdout and stderr: every byte goes to the current invocation's tail (bounded), and
 * to telemetry (the console, `lambda-sim tail`) up to a budget per invocation, so a handler that
 * floods stdout costs only its own log, never the simulator's memory or event loop.
 */
export const FORWARD_BUDGET_BYTES = 1024 * 1024;

/** How runtimes say a port is taken (EADDRINUSE, errno 98 on Linux). */
const ADDRESS_IN_USE = /EADDRINUSE|address already in use/i;

/** The functions already warned about (warnAddressInUse), per simulator. */
const warnedFunctions = new WeakMap<Telemetry, Set<string>>();

export class OutputForwarder {
  private readonly telemetry: Telemetry;
  private readonly functionName: string;
  private readonly environmentId: string;
  private readonly toTail: (text: string) => void;
  private forwarded = 0;
  private dropped = 0;
  /** Node prints this when the heap cap (memorySize) is hit. */
  sawOutOfMemory = false;
  /** A listener of this environment could not bind its port (see initFailed). */
  private sawAddressInUse = false;
  private failedInit = false;

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
    if (!this.sawAddressInUse && ADDRESS_IN_USE.test(text)) {
      this.sawAddressInUse = true;
      this.warnAddressInUse();
    }
    if (this.forwarded >= FORWARD_BUDGET_BYTES) {
      this.dropped += chunk.length;
      return;
    }
    this.forwarded += chunk.length;
    this.emit(text, requestId);
  }

  /** Platform lines (START/END/REPORT, or their JSON records) always go out. */
  platform(text: string, requestId: string | undefined): void {
    this.toTail(text);
    this.emit(text, requestId);
  }

  /** The environment's Init failed: if its output said a port was taken, the user hears why once. */
  initFailed(): void {
    this.failedInit = true;
    this.warnAddressInUse();
  }

  /** A new invocation starts a new budget; reports what the last one dropped. */
  resetBudget(requestId: string | undefined): void {
    if (this.dropped > 0) {
      this.emit(`[lambda-sim] ${this.dropped} bytes of function output not shown (over ${FORWARD_BUDGET_BYTES} bytes per invocation)\n`, requestId);
    }
    this.forwarded = 0;
    this.dropped = 0;
  }

  /**
   * An Init that failed on a taken port is, here, most likely the same listener in another
   * environment of the function: on AWS each environment has its own network (its own microVM).
   * Said once per function, whatever the runtime's wording (Node's EADDRINUSE, Python's
   * "[Errno 98] Address already in use", Go's "bind: address already in use"), as the output of a
   * crash may arrive after the exit that failed the Init.
   */
  private warnAddressInUse(): void {
    if (!this.failedInit || !this.sawAddressInUse) return;
    let warned = warnedFunctions.get(this.telemetry);
    if (warned === undefined) warnedFunctions.set(this.telemetry, (warned = new Set()));
    if (warned.has(this.functionName)) return;
    warned.add(this.functionName);
    this.telemetry.emit({
      type: "simulator.warning",
      message:
        `${this.functionName}: environment ${this.environmentId} failed its Init because a port was already in use, likely by the same listener in another ` +
        "environment of the function: environments share this machine's network (on AWS each has its own). Each environment has its own loopback address " +
        "behind sandbox.localdomain, but a listener bound to 0.0.0.0, 127.0.0.1 or localhost collides: bind sandbox.localdomain, or set reserved concurrency 1 locally.",
    });
  }

  private emit(text: string, requestId: string | undefined): void {
    this.telemetry.emit({ type: "function.log", functionName: this.functionName, environmentId: this.environmentId, requestId, text });
  }
}
