import type { Hold } from "./clock.ts";

/**
 * The holds that stop a VirtualClock jumping (DESIGN.md `VirtualClock`): real work in progress (a
 * handler process running, a socket awaited, a prewarm) that may still set timers belonging
 * before the next jump. Time only moves while none is outstanding; the labels say what is
 * blocking it when an advance does not return.
 */
export class VirtualHolds {
  private readonly holds = new Map<number, string>();
  private seq = 0;
  private waiters: (() => void)[] = [];
  /** Called each time the last outstanding hold is released (the clock may jump again). */
  private readonly onAllReleased: () => void;

  constructor(onAllReleased: () => void) {
    this.onAllReleased = onAllReleased;
  }

  /** A hold until released (or disposed); releasing it twice is harmless. */
  take(label: string): Hold {
    const id = this.seq++;
    this.holds.set(id, label);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.holds.delete(id);
      if (this.holds.size > 0) return;
      for (const wake of this.waiters.splice(0)) wake();
      this.onAllReleased();
    };
    return { release, [Symbol.dispose]: release };
  }

  /** Holds outstanding. */
  get size(): number {
    return this.holds.size;
  }

  /** Labels of the outstanding holds. */
  labels(): string[] {
    return [...this.holds.values()];
  }

  /** Resolves once no hold is outstanding (at once if none is). */
  released(): Promise<void> {
    if (this.holds.size === 0) return Promise.resolve();
    return new Promise<void>((wake) => this.waiters.push(wake));
  }
}
