import { stopwatch, type TimerHandle } from "@lambda-sim/core";

/** One sample of a queue's gauges: service time, then visible, in flight, delayed. */
export type QueueSample = [t: number, visible: number, inflight: number, delayed: number];

/** How often the curves are sampled (wall ms): as often as a page asks for its gauges (dashboard.js). */
export const SAMPLE_EVERY_MS = 1000;
/** Samples kept per queue: the two minutes the README's dashboard section names (and the page draws, model.js KEEP_SAMPLES). */
export const KEEP_SAMPLES = 120;
/** Our bound: queues followed; the others are not drawn over time (a test suite's hundreds of queues would each cost a curve). */
export const KEEP_QUEUES = 100;

/**
 * Each queue's visible / in-flight / delayed counts over the last two minutes, sampled by the
 * server (newuser14 F10: the page's own samples went with a reload, so the curve of a burst came
 * back flat). Sampled once a wall second (the page's cadence; presentation, so on the stopwatch, never
 * the Clock: virtual time must not wait for it), only while there are queues; a deleted queue's
 * curve goes at the next sample. Memory: KEEP_QUEUES × KEEP_SAMPLES × 4 numbers (~400 KB at most).
 */
export class QueueCurves {
  private readonly curves = new Map<string, QueueSample[]>();
  private timer: TimerHandle | undefined;

  /** Samples `read()` (the sqs source's `queues` view: `{ name, visible, inflight, delayed }[]`, or anything else when there is none) every SAMPLE_EVERY_MS. */
  start(read: () => unknown, time: () => unknown): void {
    const tick = () => {
      this.sample(read(), time());
      this.timer = stopwatch.after(SAMPLE_EVERY_MS, tick);
    };
    this.timer = stopwatch.after(SAMPLE_EVERY_MS, tick);
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** One sample of every queue in `queues` at service time `t`; a view that is absent or failed (not an array) changes nothing. */
  sample(queues: unknown, t: unknown): void {
    if (!Array.isArray(queues) || typeof t !== "number") return;
    const live = new Set<string>();
    for (const q of queues as { name: string; visible: number; inflight: number; delayed: number }[]) {
      live.add(q.name);
      let curve = this.curves.get(q.name);
      if (curve === undefined) {
        if (this.curves.size >= KEEP_QUEUES) continue;
        this.curves.set(q.name, (curve = []));
      }
      curve.push([t, q.visible, q.inflight, q.delayed]);
      if (curve.length > KEEP_SAMPLES) curve.shift();
    }
    for (const name of this.curves.keys()) if (!live.has(name)) this.curves.delete(name);
  }

  /** queue name -> its samples, oldest first. */
  view(): Record<string, QueueSample[]> {
    return Object.fromEntries(this.curves);
  }
}
