import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/**
 * Whether this machine lets lambda-sim give an environment private namespaces (mount and PID),
 * probed as a user would check: `unshare` as root, or inside a user namespace of one's own, and
 * perl for the namespace's PID 1. Tests of what those namespaces hold skip elsewhere.
 */
export function pidNamespacesPermitted(): boolean {
  if (process.platform !== "linux" || spawnSync("perl", ["-e", "1"], { stdio: "ignore" }).status !== 0) return false;
  for (const base of [["-m"], ["-U", "--map-current-user", "--keep-caps", "-m"]]) {
    if (spawnSync("unshare", [...base, "--pid", "--fork", "--mount-proc", "true"], { stdio: "ignore" }).status === 0) return true;
  }
  return false;
}

/** A process of the machine whose command line holds `marker`, and its state letter (R, S, T, Z...). */
export function processWith(marker: string): { pid: number; state: string } | undefined {
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (!readFileSync(`/proc/${name}/cmdline`, "latin1").includes(marker)) continue;
      const stat = readFileSync(`/proc/${name}/stat`, "latin1");
      return { pid: Number(name), state: stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) };
    } catch {
      // Gone meanwhile.
    }
  }
  return undefined;
}
