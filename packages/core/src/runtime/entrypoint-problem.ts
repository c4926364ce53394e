import { accessSync, closeSync, constants, openSync, readSync } from "node:fs";

/** What execve reads of a file to know how to run it (the kernel's BINPRM_BUF_SIZE). */
const HEAD_BYTES = 256;
const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);

/**
 * Why execve would refuse to start `path`, in Go's words (a runtime's bootstrap: AWS's
 * Runtime.InvalidEntrypoint; an external extension: Extension.LaunchError), or undefined. RAPID
 * starts both with Go's exec.Cmd.Start (aws-lambda-runtime-interface-emulator rapid/start.go:
 * doInit, doInitExtensions and agents.ExternalAgentProcess.Start), which returns execve's error,
 * "fork/exec <path>: <errno>": for a file missing or not executable, for a script whose `#!`
 * interpreter is missing (ENOENT) or not executable (EACCES), and for a file that is neither a
 * binary nor a script (ENOEXEC, "exec format error": Go has no shell fallback). Checked before
 * spawning, as the process is started through wrappers (setpriv, unshare, chrt) that would exec
 * it themselves: their failure is an exit status 126 or 127 like any the process could have
 * (told apart from nothing, it read as Extension.Crash), and their execvp runs a file without
 * `#!` with /bin/sh. `hostPath` maps an interpreter's path in the environment (/opt/...) to the host's.
 */
export function entrypointProblem(path: string, hostPath: (p: string) => string = (p) => p): string | undefined {
  const refused = notExecutable(path);
  if (refused !== undefined) return refused;
  const head = fileHead(path);
  // Executable but unreadable to us (mode 0111): left to the kernel.
  if (head === undefined || head.subarray(0, 4).equals(ELF_MAGIC)) return undefined;
  if (head[0] !== 0x23 || head[1] !== 0x21) return "exec format error";
  // As the kernel reads it (binfmt_script): blanks before the name skipped, the name up to a blank
  // or the line's end; a \r is part of it (a file saved with CRLF: "/bin/sh\r", no such file).
  const interpreter = head.subarray(2).toString("latin1").split("\n", 1)[0]!.replace(/^[ \t]+/, "").split(/[ \t]/, 1)[0]!;
  // A relative interpreter resolves against the working directory: left to the kernel.
  return interpreter.startsWith("/") ? notExecutable(hostPath(interpreter)) : interpreter === "" ? "exec format error" : undefined;
}

function notExecutable(path: string): string | undefined {
  try {
    accessSync(path, constants.X_OK);
    return undefined;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file or directory" : "permission denied";
  }
}

function fileHead(path: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const buffer = Buffer.alloc(HEAD_BYTES);
    return buffer.subarray(0, readSync(fd, buffer, 0, HEAD_BYTES, 0));
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
