import { readFileSync } from "node:fs";

/**
 * Memory of an environment's process from /proc (Linux). `VmHWM` is the peak resident set, which
 * is what Lambda reports as "Max Memory Used"; `VmRSS` is the current one, which the watchdog
 * compares with memorySize. Elsewhere (no /proc) both read 0 and only Node's heap cap applies.
 */
export function peakMemoryMb(pid: number | undefined): number {
  return readStatusKb(pid, "VmHWM:") / 1024;
}

export function residentMemoryMb(pid: number | undefined): number {
  return readStatusKb(pid, "VmRSS:") / 1024;
}

function readStatusKb(pid: number | undefined, key: string): number {
  if (pid === undefined) return 0;
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, "latin1");
  } catch {
    return 0;
  }
  const i = text.indexOf(key);
  if (i < 0) return 0;
  return Number.parseInt(text.slice(i + key.length), 10) || 0;
}
