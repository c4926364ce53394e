import type { Telemetry } from "../telemetry/telemetry.ts";
import type { TelemetryEvent, TelemetryEventType } from "../telemetry/events.ts";

/** Records telemetry for assertions: `recorder.of("invocation.finished")`. */
export class TelemetryRecorder {
  private readonly recorded: TelemetryEvent[] = [];
  private readonly telemetry: Telemetry;
  private readonly stop: () => void;

  constructor(telemetry: Telemetry) {
    this.telemetry = telemetry;
    this.stop = telemetry.subscribe((e) => this.recorded.push(e));
  }

  /** Everything emitted so far, deferred events included (Telemetry.deferred). */
  get events(): TelemetryEvent[] {
    this.telemetry.flush();
    return this.recorded;
  }

  of<T extends TelemetryEventType>(type: T): Extract<TelemetryEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<TelemetryEvent, { type: T }> => e.type === type);
  }

  /** Stops recording, after what was emitted until now (deferred events included). */
  dispose(): void {
    this.telemetry.flush();
    this.stop();
  }
}
