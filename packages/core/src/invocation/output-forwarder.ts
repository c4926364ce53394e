import type { Telemetry } from "../telemetry/telemetry.ts";
import { OutputLines, oversizeLineFromEnv, type OversizeLine } from "./output-lines.ts";

/**
 * A function's stdout and stderr. Every byte goes to the current invocation's tail (bounded) and,
 * cut into lines (OutputLines), to CloudWatch Logs and extensions' Telemetry API: on AWS both
 * get everything the function writes, whatever its volume (subscribers that want every byte say
 * so: Telemetry.wantsEveryOutputByte). The previews (the console, `lambda-sim tail`, the
 * dashboard) get it up to a budget per invocation, then one note at the invocation's END of how
 * much they were not shown: a handler that floods stdout costs its own log, never the
 * simulator's memory or a terminal.
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
  private readonly oversize: OversizeLine;
  /** Each pipe's lines (stdout, stderr, an extension's), made on its first output. */
  private readonly pipes = new Map<string, OutputLines>();
  /** Node prints this when the heap cap (memorySize) is hit. */
  sawOutOfMemory = false;
  /** A listener of this environment could not bind its port (see initFailed). */
  private sawAddressInUse = false;
  private failedInit = false;

  constructor(telemetry: Telemetry, functionName: string, environmentId: string, toTail: (text: string) => void, oversize: OversizeLine = oversizeLineFromEnv()) {
    this.telemetry = telemetry;
    this.oversize = oversize;
    this.functionName = functionName;
    this.environmentId = environmentId;
    this.toTail = toTail;
  }

  /** Bytes of function output since the invocation began (shown or not). */
  get invocationBytes(): number {
    return this.forwarded + this.dropped;
  }

  /** One read of a pipe (`pipe` names it: a line continues only within its own pipe). */
  write(chunk: Buffer, requestId: string | undefined, pipe = "stdout"): void {
    let lines = this.pipes.get(pipe);
    if (lines === undefined) this.pipes.set(pipe, (lines = new OutputLines(this.oversize)));
    const text = lines.decode(chunk);
    this.toTail(text);
    if (!this.sawOutOfMemory && text.includes("heap out of memory")) this.sawOutOfMemory = true;
    if (!this.sawAddressInUse && ADDRESS_IN_USE.test(text)) {
      this.sawAddressInUse = true;
      this.warnAddressInUse();
    }
    for (const line of lines.push(text)) this.forward(line, requestId);
  }

  /** Platform lines (START/END/REPORT, or their JSON records) always go out, after the output before them. */
  platform(text: string, requestId: string | undefined): void {
    this.flushLines(requestId);
    this.toTail(text);
    this.emit(text, requestId);
  }

  /**
   * The invocation ends (before its END line): a line still waiting for its newline goes out, and
   * the previews hear what they were not shown, in this invocation, not the next.
   */
  invocationEnding(requestId: string | undefined): void {
    this.flushLines(requestId);
    if (this.dropped > 0) {
      this.emit(`[lambda-sim] ${this.dropped} bytes of function output not shown here (over ${FORWARD_BUDGET_BYTES} bytes per invocation); CloudWatch Logs has them all\n`, requestId, "console");
    }
    this.forwarded = 0;
    this.dropped = 0;
  }

  /** The environment's Init failed: if its output said a port was taken, the user hears why once. */
  initFailed(): void {
    this.failedInit = true;
    this.warnAddressInUse();
  }

  /** The environment is gone: what its pipes held goes out as lines. */
  outputEnded(): void {
    this.flushLines(undefined);
  }

  /** A new invocation starts a new budget (output after the last END counted in none). */
  resetBudget(): void {
    this.forwarded = 0;
    this.dropped = 0;
  }

  private flushLines(requestId: string | undefined): void {
    for (const lines of this.pipes.values()) {
      const held = lines.flush();
      if (held !== "") this.forward(held, requestId);
    }
  }

  /** To every subscriber within the budget; past it, to CloudWatch Logs only. */
  private forward(text: string, requestId: string | undefined): void {
    const bytes = Buffer.byteLength(text);
    if (this.forwarded < FORWARD_BUDGET_BYTES) {
      this.forwarded += bytes;
      this.emit(text, requestId);
      return;
    }
    this.dropped += bytes;
    if (this.telemetry.wantsEveryOutputByte) this.emit(text, requestId, "logs");
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

  private emit(text: string, requestId: string | undefined, audience?: "logs" | "console"): void {
    if (audience === undefined) this.telemetry.emit({ type: "function.log", functionName: this.functionName, environmentId: this.environmentId, requestId, text });
    else this.telemetry.emit({ type: "function.log", functionName: this.functionName, environmentId: this.environmentId, requestId, text, audience });
  }
}
