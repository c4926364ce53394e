import { readFileSync } from "node:fs";

/** Whether `pid` is a live process (a zombie waiting for its parent to reap it counts as gone). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z ");
  } catch {
    return false;
  }
}
