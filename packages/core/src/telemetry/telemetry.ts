import type { Clock } from "../clock/clock.ts";
import type { TelemetryEvent, TelemetryEventInput } from "./events.ts";

export type TelemetryListener = (event: TelemetryEvent) => void;

/**
 * Fan-out of typed events to subscribers. Emitting with no subscriber costs one array check, so
 * the hot path can emit freely. A throwing listener is isolated from the emitter.
 */
export class Telemetry {
  private listeners: TelemetryListener[] = [];

  private readonly clock: Clock;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /** Whether anyone listens: lets an emitter skip building an expensive field (a payload preview). */
  get active(): boolean {
    return this.listeners.length > 0;
  }

  emit(input: TelemetryEventInput): void {
    if (this.listeners.length === 0) return;
    const event = { ...input, time: this.clock.now() } as TelemetryEvent;
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // A broken subscriber (a closed dashboard socket, say) must not break the service.
      }
    }
  }

  subscribe(listener: TelemetryListener): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }
}
