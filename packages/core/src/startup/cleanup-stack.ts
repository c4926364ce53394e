/**
 * What a start-up has acquired, undone in reverse (the Go `defer` / Python `ExitStack` pattern):
 * each step registers its own undo as soon as it holds the resource, so a start that fails at
 * any point releases exactly what it took, and close() is the same walk.
 */
export class CleanupStack {
  private readonly undo: (() => unknown)[] = [];
  private running: Promise<void> | undefined;

  /** Registers `fn` to run before everything deferred earlier. */
  defer(fn: () => unknown): void {
    if (this.running !== undefined) throw new Error("CleanupStack: defer() after run()");
    this.undo.push(fn);
  }

  /**
   * Runs every undo, last first, each awaited. A failing undo does not stop the others; the
   * first error is rethrown at the end. Idempotent: later calls return the first walk.
   */
  run(): Promise<void> {
    this.running ??= (async () => {
      let first: unknown;
      let failed = false;
      while (this.undo.length > 0) {
        const fn = this.undo.pop()!;
        try {
          await fn();
        } catch (e) {
          if (!failed) first = e;
          failed = true;
        }
      }
      if (failed) throw first;
    })();
    return this.running;
  }
}
