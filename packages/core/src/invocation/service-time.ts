import type { Clock, TimerHandle } from "../clock/clock.ts";

/**
 * The service time one invocation of real code takes (SimFunctionSettings.serviceTimeMs, a
 * scenario's `serviceTime:`). Real handlers run in wall time and take none on the VirtualClock, so
 * without it their invocations never overlap as long handlers do on AWS (a reserved concurrency
 * never throttles a mapping's pollers). The timer is set when the environment takes the event,
 * so invocations that start together end in the order they started, whatever order their
 * processes answer in: a seeded run decides the same way every time. An injected latency is one
 * too, set when the handler has answered (InvocationCompletion).
 *
 * Service time past the function's timeout ends in a timeout at the timeout, as a handler
 * that slow would on AWS (`onTimeout`), instead of passing.
 */
export class ServiceTime {
  private up = false;
  private onUp: (() => void) | undefined;
  private readonly timer: TimerHandle;

  constructor(clock: Clock, ms: number, label: string, timeout?: { ms: number; onTimeout: () => void }) {
    this.timer =
      timeout !== undefined && ms > timeout.ms
        ? clock.setTimer(timeout.ms, timeout.onTimeout, label)
        : clock.setTimer(
            ms,
            () => {
              this.up = true;
              this.onUp?.();
            },
            label,
          );
  }

  /** Whether the service time has passed (a wall clock may pass it while the handler runs). */
  get passed(): boolean {
    return this.up;
  }

  /** Runs `fn` when the service time has passed; at most one waiter. */
  whenPassed(fn: () => void): void {
    if (this.up) fn();
    else this.onUp = fn;
  }

  /**
   * The invocation ended another way (timeout, crash, retirement): its service time is no longer
   * pending work, which a VirtualClock's run-until-idle would otherwise advance to.
   */
  cancel(): void {
    this.timer.cancel();
    this.onUp = undefined;
  }
}
