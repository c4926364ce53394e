import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Environment processes run in their own session (so a whole tree can be frozen and killed), which
 * means they can outlive a simulator that is SIGKILLed: the runtime itself dies with it where
 * setpriv gives it a parent-death signal, but not what it started, nor anything on other systems. Each live process is noted in
 * a file; the next start kills what is still running from the previous one. A pid is only killed
 * if its environment still carries the environment's unique log stream name, so a recycled pid
 * belonging to someone else is never touched.
 */
export class ProcessLedger {
  private readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
    mkdirSync(dir, { recursive: true });
  }

  /** Kills process groups left by a previous run on this state directory. Returns how many. */
  reapLeftovers(): number {
    let killed = 0;
    for (const name of readdirSync(this.dir)) {
      const file = join(this.dir, name);
      const [pidText, marker] = readFileSync(file, "utf8").split(" ");
      const pid = Number(pidText);
      if (Number.isInteger(pid) && pid > 0 && marker !== undefined && environOf(pid).includes(`AWS_LAMBDA_LOG_STREAM_NAME=${marker}`)) {
        try {
          process.kill(-pid, "SIGKILL");
          killed++;
        } catch {
          // already gone
        }
      }
      rmSync(file, { force: true });
    }
    return killed;
  }

  record(environmentId: string, pid: number, logStream: string): void {
    writeFileSync(join(this.dir, environmentId), `${pid} ${logStream}`);
  }

  forget(environmentId: string): void {
    rmSync(join(this.dir, environmentId), { force: true });
  }
}

function environOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/environ`, "latin1");
  } catch {
    return "";
  }
}
