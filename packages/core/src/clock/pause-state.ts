/**
 * Pausing a wall clock (`POST /_sim/clock/pause`): while paused, now() stands at the instant of the
 * pause and timers wait; on resume, service time continues from there, so the pause is cut out of
 * service time instead of firing everything that fell due during it at once.
 */
export class PauseState {
  private pausedAt: number | undefined;
  /** Service ms cut out by earlier pauses. */
  private offset = 0;

  get paused(): boolean {
    return this.pausedAt !== undefined;
  }

  /** Service time given the clock's unpaused reading `raw`. */
  read(raw: number): number {
    return this.pausedAt ?? raw - this.offset;
  }

  pause(raw: number): void {
    if (this.pausedAt === undefined) this.pausedAt = raw - this.offset;
  }

  resume(raw: number): void {
    if (this.pausedAt === undefined) return;
    this.offset = raw - this.pausedAt;
    this.pausedAt = undefined;
  }
}
