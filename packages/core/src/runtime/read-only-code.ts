import { spawn, type ChildProcess } from "node:child_process";
import { realpathSync } from "node:fs";
import { stopwatch } from "../clock/stopwatch.ts";
import { EXIT_STATUS_FD, exeOf, firstChildOf } from "./pid-namespace.ts";
import { hostCommand } from "./host-command.ts";
import { privateNamespaceOptions } from "./runtime-driver.ts";

/** Our choice: how often a sandbox still starting is looked at again, and for how long at most. */
const START_POLL_MS = 2;
const START_WAIT_MS = 10_000;

/**
 * Binds `codeDir` read-only onto itself in the mount namespace of a pooled sandbox (`child`, whose
 * mounts were made before its function was known), then calls `done`: AWS's /var/task is
 * read-only (fuzz19 F3), and the handler must not load before the mount is in place. A sandbox
 * still starting is waited for (sandboxStarted): before its own mounts are made, the bind could
 * land in the machine's mount namespace, or under a /tmp they then hide. nsenter joins the mount
 * namespace the sandbox's unshare made (as root: canBindLater()), and mount(8) binds, then remounts
 * read-only. `done` is called whatever the outcome: a sandbox whose mount
 * failed (or that died) still goes on as before, its code folder writable.
 */
export function bindCodeReadOnly(child: ChildProcess, interpreter: string, codeDir: string, done: () => void): void {
  const pid = child.pid!;
  const pidNamespace = child.stdio.length > EXIT_STATUS_FD;
  const exe = realpathSync(interpreter);
  const waitedSince = stopwatch.now();
  let called = false;
  const finish = () => {
    if (called) return;
    called = true;
    done();
  };
  const bind = () => {
    if (child.exitCode !== null || child.signalCode !== null) return finish();
    if (!sandboxStarted(pid, exe, pidNamespace)) {
      if (stopwatch.now() - waitedSince > START_WAIT_MS) return finish();
      stopwatch.after(START_POLL_MS, bind);
      return;
    }
    const mount = spawn(hostCommand("nsenter"), ["-t", String(pid), "-m", hostCommand("mount"), "--bind", "-o", "ro", codeDir, codeDir], { stdio: "ignore" });
    mount.on("exit", finish);
    mount.on("error", finish);
  };
  bind();
}

/**
 * Whether a pooled sandbox (`pid`: the process the pool holds) has finished its start chain: its
 * mounts are made and its interpreter runs. In a PID namespace the interpreter is the grandchild
 * of the process held (unshare, then its PID 1). `exe`: the interpreter's real path.
 */
function sandboxStarted(pid: number, exe: string, pidNamespace: boolean): boolean {
  const runtime = pidNamespace ? firstChildOf(firstChildOf(pid) ?? -1) : pid;
  return runtime !== undefined && exeOf(runtime) === exe;
}

/**
 * Whether bindCodeReadOnly() can mount in a sandbox's namespace: as root. A user's sandboxes live in
 * a user namespace of their own, where nsenter (util-linux 2.38: no --keep-caps) hands mount(8) no
 * capability ("must be superuser"), so the mount would fail and leave the code writable.
 */
export function canBindLater(): boolean {
  return privateNamespaceOptions()?.includes("-U") !== true;
}
