import { rmSync } from "node:fs";
import { join } from "node:path";
import { stopwatch } from "../clock/stopwatch.ts";
import type { FunctionVersionConfig } from "../registry/function-model.ts";
import type { RuntimeApiServer } from "../runtime/runtime-api-server.ts";
import { RuntimeChannel } from "../runtime/runtime-channel.ts";
import { firstStart, type SandboxKind } from "../runtime/sandbox-pool.ts";
import { sandboxAddresses } from "../runtime/sandbox-addresses.ts";
import { mountTablesOf, SandboxProcess, type SandboxOptions } from "../runtime/sandbox-process.ts";
import type { EnvironmentContext } from "./environment-context.ts";

/** What an EnvironmentProcess needs of its environment. */
export interface EnvironmentProcessOptions {
  environmentId: string;
  config: FunctionVersionConfig;
  ctx: EnvironmentContext;
  api: RuntimeApiServer;
  initializationType: "on-demand" | "provisioned-concurrency";
  logStream: string;
  /** The function's stdout and stderr. */
  onOutput: (chunk: Buffer, pipe: "stdout" | "stderr") => void;
  /** The current process exited on its own (never after kill()). */
  onExit: (code: number | null, signal: NodeJS.Signals | null) => void;
}

/**
 * The runtime process of one ExecutionEnvironment and what comes with it: its /tmp, the private
 * channel to our bootstrap, when it was spawned (Init Duration counts from there), and the memory
 * reading of the last process (REPORT's Max Memory Used outlives it). Also the sandbox pool's part
 * in a start (sandbox-pool.ts): a first start takes a pre-started sandbox of its kind when one
 * waits, and the pool hears when that start's Init is over, to refill the kind or to stop counting
 * it in a burst. The pool's view of a start (its SandboxKind) is computed once per start.
 */
export class EnvironmentProcess {
  private readonly opts: EnvironmentProcessOptions;
  /** Its /tmp: its own directory, or the one of the pooled sandbox it took (sandbox-pool.ts). */
  private tmpDir: string;
  private process: SandboxProcess | undefined;
  /** The private channel to the current process's bootstrap, when the bootstrap is ours. */
  private channel: RuntimeChannel | undefined;
  /** The process of the current or last invocation: its memory reading outlives it. */
  private last: SandboxProcess | undefined;
  /** The options of the latest start: an exit counts only for the process they started. */
  private startedWith: SandboxOptions | undefined;
  /** The start whose Init is not over yet (initSucceeded / initFailed), and its pool kind once known (null: none). */
  private pending: SandboxOptions | undefined;
  private pendingKind: SandboxKind | null | undefined;
  private startedAt = 0;
  /** Its own loopback address, `sandbox.localdomain` inside it (sandbox-addresses.ts), while it has one. */
  private address: string | undefined;

  constructor(opts: EnvironmentProcessOptions) {
    this.opts = opts;
    this.tmpDir = join(opts.ctx.tmpRoot, opts.environmentId);
  }

  /** Stopwatch reading when the current process's start began (extensions included): Init Duration counts from it. */
  get spawnedAt(): number {
    return this.startedAt;
  }

  /** The runtime's process, while it runs. */
  get current(): SandboxProcess | undefined {
    return this.process;
  }

  /** The runtime talks over the private channel (our bootstrap), not HTTP. */
  get onChannel(): boolean {
    return this.channel?.inUse === true;
  }

  /** A start begins (Init Duration counts from now): the options it runs with, for the extensions too. */
  prepare(runtimeApi: string): SandboxOptions {
    const { ctx, environmentId } = this.opts;
    this.startedAt = stopwatch.now();
    const options: SandboxOptions = {
      environmentId,
      config: this.opts.config,
      initializationType: this.opts.initializationType,
      runtimeApi,
      region: ctx.region,
      endpointUrl: ctx.endpointUrl,
      credentials: ctx.credentials,
      logStream: this.opts.logStream,
      tmpDir: this.tmpDir,
      privateTmp: ctx.privateTmp,
      address: this.sandboxAddress(),
      compileCacheDir: ctx.compileCacheDir,
      processes: ctx.processes,
      onOutput: this.opts.onOutput,
      onExit: (code, signal) => {
        if (this.process !== undefined && this.startedWith === options) this.opts.onExit(code, signal);
      },
    };
    return options;
  }

  /**
   * Starts the runtime with `options` (prepare()), in a pooled sandbox when it can; returns RAPID's
   * Runtime.InvalidEntrypoint message when its executable is missing or not executable.
   */
  start(options: SandboxOptions): string | undefined {
    const pool = this.opts.ctx.sandboxes;
    // A first start may take a pre-started sandbox; a reset environment keeps its own /tmp.
    const kind = pool !== undefined && firstStart(this.tmpDir) ? (pool.kindOf(options) ?? null) : undefined;
    const pooled = kind ? pool!.take(kind) : undefined;
    if (pooled !== undefined) this.tmpDir = pooled.tmpDir;
    const started = pooled?.process ?? SandboxProcess.start(options);
    this.startedWith = options;
    this.pending = options;
    this.pendingKind = kind;
    if (!(started instanceof SandboxProcess)) return started.invalidEntrypoint;
    this.process = started;
    this.closeChannel();
    if (started.channel !== undefined) this.channel = new RuntimeChannel(started.channel, this.opts.api);
    this.last = started;
    return undefined;
  }

  /** The Init of the latest start is over: off its critical path, a sandbox for the next cold start of its kind. */
  initSucceeded(): void {
    const options = this.pending;
    if (options === undefined) return;
    const known = this.pendingKind;
    this.pending = undefined;
    setImmediate(() => {
      const kind = known === undefined ? this.opts.ctx.sandboxes?.kindOf(options) : known;
      if (kind) this.opts.ctx.sandboxes?.refill(kind);
    });
  }

  /** An Init that never finished (failed, timed out) is over for the sandbox pool's burst count. */
  initFailed(): void {
    const options = this.pending;
    if (options === undefined) return;
    this.pending = undefined;
    const kind = this.pendingKind === undefined ? this.opts.ctx.sandboxes?.kindOf(options) : this.pendingKind;
    if (kind) this.opts.ctx.sandboxes?.initFailed(kind);
  }

  /** Kills the runtime's process (no exit callback follows). */
  kill(): void {
    // Its peak read first: a report made after the kill has no /proc to read, and a process killed
    // in its Init (its limit, a retried Init at the function's timeout) had never been read (Max
    // Memory Used said 1 MB). One read at most every 50 ms (SandboxProcess.peakMemoryMb).
    this.process?.peakMemoryMb();
    this.process?.kill();
    this.process = undefined;
    this.closeChannel();
  }

  /** The process exited on its own: it is gone; returns it (its memory reading). */
  exited(): SandboxProcess | undefined {
    const proc = this.process;
    this.process = undefined;
    this.closeChannel();
    return proc;
  }

  /** What the current process wrote and the simulator has not read yet, read now (SandboxProcess.drainOutput). */
  drainOutput(): void {
    this.process?.drainOutput();
  }

  /** Peak RSS, capped at memorySize: a process is stopped there on AWS, so no report shows more. */
  maxMemoryUsed(): number {
    return Math.min(this.last?.peakMemoryMb() ?? 1, this.opts.config.memorySize);
  }

  /** The environment is retired: its /tmp goes, and its address may serve another environment. */
  removeTmp(): void {
    rmSync(this.tmpDir, { recursive: true, force: true });
    rmSync(mountTablesOf(this.tmpDir), { recursive: true, force: true });
    if (this.address !== undefined) sandboxAddresses.release(this.address);
    this.address = undefined;
  }

  /**
   * Only environments with layers (where extensions live) mounted in a private mount namespace
   * get an address of their own: elsewhere no /etc/hosts of theirs could name it.
   */
  private sandboxAddress(): string | undefined {
    if (this.opts.ctx.privateTmp && this.opts.config.optDir !== undefined) this.address ??= sandboxAddresses.acquire();
    return this.address;
  }

  private closeChannel(): void {
    this.channel?.close();
    this.channel = undefined;
  }
}
