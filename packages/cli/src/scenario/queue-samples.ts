/**
 * A scenario trace's queues, for `lambda-sim ui --trace` (newuser14 F15): the sqs source's queues
 * view (`sim.hub.view("queues")`: visible, in flight, delayed, the redrive policy's DLQ and what
 * moved there; what the live page's Queues table draws from the server's sampled frames), as a
 * views line whenever it changed. The trace's events alone cannot rebuild a queue's depth: a
 * SendMessage, a delete or a visibility timeout running out is no telemetry.
 *
 * Looked at once per service instant (before its first event), after each traffic shot and at
 * the end: one look per instant keeps the trace the same whichever of a real handler's events
 * comes first within the instant, and a `model` run's trace byte for byte.
 */
export class QueueSamples {
  private readonly view: () => unknown;
  private readonly viewsType: string;
  private last = "";
  /** The service time last looked at. */
  sampledAt: number | undefined;

  constructor(view: () => unknown, viewsType: string) {
    this.view = view;
    this.viewsType = viewsType;
  }

  /** The views line (with its newline) for the queues at `time`, or "" when they have not changed. */
  line(time: number): string {
    this.sampledAt = time;
    const queues = this.view();
    if (!Array.isArray(queues)) return "";
    const text = JSON.stringify(queues);
    if (text === this.last) return "";
    this.last = text;
    return `${JSON.stringify({ type: this.viewsType, time, views: { queues } })}\n`;
  }
}
