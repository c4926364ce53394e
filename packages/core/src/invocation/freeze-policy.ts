import { WallAlarm } from "../clock/wall-alarm.ts";
import type { FunctionVersionConfig } from "../registry/function-model.ts";
import type { RuntimeApiServer } from "../runtime/runtime-api-server.ts";
import type { SandboxProcess } from "../runtime/sandbox-process.ts";
import type { EnvironmentContext } from "./environment-context.ts";
import type { EnvironmentProcess } from "./environment-process.ts";
import type { ExtensionHost } from "./extension-host.ts";

/**
 * When an ExecutionEnvironment's processes are frozen (SIGSTOP) and thawed. AWS freezes an
 * environment once the runtime and its extensions ask for the next event and none is pending
 * (aws-facts §3 "Freeze/thaw"). We freeze after `freezeDelayMs` of wall time: an environment
 * reused sooner (a busy function) is never stopped, which halves the cost of warm invocations
 * under load, and background work can run at most that long after the runtime asked for the next
 * event. Our own bootstraps (on the private channel) pause their main thread at once while they
 * wait, so only their threads and child processes wait for the SIGSTOP, after
 * `channelFreezeDelayMs`.
 */
export class FreezePolicy {
  private readonly config: FunctionVersionConfig;
  private readonly ctx: EnvironmentContext;
  private readonly process: EnvironmentProcess;
  private readonly api: RuntimeApiServer;
  private readonly extensions: ExtensionHost;
  private readonly environment: { readonly busy: boolean };
  private readonly alarm = new WallAlarm();
  /** The process the pending freeze is for: it no longer applies once that process is gone. */
  private target: SandboxProcess | undefined;
  private readonly freezeTarget = () => this.freeze();
  /** The environment is retiring: nothing freezes it again (stop()). */
  private stopped = false;

  constructor(config: FunctionVersionConfig, ctx: EnvironmentContext, process: EnvironmentProcess, api: RuntimeApiServer, extensions: ExtensionHost, environment: { readonly busy: boolean }) {
    this.config = config;
    this.ctx = ctx;
    this.process = process;
    this.api = api;
    this.extensions = extensions;
    this.environment = environment;
  }

  /** The environment may be waiting for its next event: freeze it (after the delay) if it is. */
  ifWaiting(): void {
    const proc = this.process.current;
    if (this.stopped || !this.config.sim.freeze || proc === undefined || proc.frozen || this.alarm.armed) return;
    if (!this.waiting()) return;
    this.target = proc;
    const delayMs = this.process.onChannel ? this.ctx.channelFreezeDelayMs : this.ctx.freezeDelayMs;
    if (delayMs <= 0) this.freeze();
    else this.alarm.set(delayMs, this.freezeTarget);
  }

  /** An event is coming: no freeze, and what is frozen runs again. */
  thaw(): void {
    this.alarm.clear();
    const proc = this.process.current;
    if (proc?.frozen) proc.thaw();
    this.extensions.thaw();
  }

  /** No freeze pending (the runtime is being killed). */
  clear(): void {
    this.alarm.clear();
  }

  /**
   * clear(), no timer is left, and none is armed again: the environment is retiring. An invocation
   * whose extensions' post-response work ends during the retirement completes then, and a freeze
   * it armed would stop the extensions in the middle of the Shutdown phase (the telemetry flush
   * before SHUTDOWN then waits forever on a frozen listener).
   */
  stop(): void {
    this.stopped = true;
    this.alarm.stop();
  }

  private waiting(): boolean {
    return !this.environment.busy && this.api.runtimeWaiting && this.extensions.idle;
  }

  private freeze(): void {
    const proc = this.target;
    this.target = undefined;
    if (proc === undefined || this.process.current !== proc || proc.frozen || !this.waiting()) return;
    proc.freeze();
    this.extensions.freeze();
  }
}
