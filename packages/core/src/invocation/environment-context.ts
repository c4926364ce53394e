import type { Clock } from "../clock/clock.ts";
import type { RandomStream } from "../random/rng.ts";
import type { ProcessLedger } from "../runtime/process-ledger.ts";
import type { SandboxPool } from "../runtime/sandbox-pool.ts";
import type { Telemetry } from "../telemetry/telemetry.ts";

/** Shared services every environment needs. */
export interface EnvironmentContext {
  clock: Clock;
  telemetry: Telemetry;
  region: string;
  endpointUrl: string;
  /** With `--auth`: the key functions' SDK calls to the simulator are signed with. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Parent of each environment's private /tmp directory. */
  tmpRoot: string;
  /** Mount each /tmp privately (Linux mount namespaces); otherwise TMPDIR points at it. */
  privateTmp: boolean;
  processes: ProcessLedger;
  /** Pre-started sandboxes that first starts take when they can (absent: every start spawns). */
  sandboxes?: SandboxPool;
  /** Shared V8 compile cache for Node environments. */
  compileCacheDir?: string;
  /** Wall ms an environment stays idle before it is frozen (0: at once). */
  freezeDelayMs: number;
  /** The same for environments on the private channel, whose main thread is already paused meanwhile. */
  channelFreezeDelayMs: number;
  /** Draws of the `model` runtime (durations, outcomes). */
  modelRandom?: RandomStream;
}
