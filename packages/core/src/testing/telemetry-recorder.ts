import type { Telemetry } from "../telemetry/telemetry.ts";
import type { TelemetryEvent, TelemetryEventType } from "../telemetry/events.ts";

/** Records telemetry for assertions: `recorder.of("invocation.finished")`. */
export class TelemetryRecorder {
  readonly events: TelemetryEvent[] = [];
  private readonly stop: () => void;

  constructor(telemetry: Telemetry) {
    this.stop = telemetry.subscribe((e) => this.events.push(e));
  }

  of<T extends TelemetryEventType>(type: T): Extract<TelemetryEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<TelemetryEvent, { type: T }> => e.type === type);
  }

  dispose(): void {
    this.stop();
  }
}
