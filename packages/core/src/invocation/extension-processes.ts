import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { FunctionVersionConfig } from "../registry/function-model.ts";
import { NamespaceAnchor } from "../runtime/namespace-anchor.ts";
import { mountTableFile, SandboxProcess, type SandboxOptions } from "../runtime/sandbox-process.ts";

export interface ExtensionProcessesOptions {
  config: FunctionVersionConfig;
  /** An extension's output; `pipe` names its stream (`<name>:stdout`), a line continues only within it. */
  onOutput(chunk: Buffer, pipe: string): void;
  /** An extension's process ended (it crashed, exited, or was killed). */
  onExit(name: string, code: number | null, signal: NodeJS.Signals | null): void;
}

/**
 * The external extensions' processes of one execution environment: the executable files of
 * /opt/extensions that the function's layers bring, each started before the runtime in the
 * environment's sandbox (aws-facts §3 "Phases": Extension init comes first), in the namespaces the
 * runtime joins (namespace-anchor.ts), frozen and thawed with the environment, killed with it.
 * What they say through the Extensions API is ExtensionHost's business.
 */
export class ExtensionProcesses {
  private readonly opts: ExtensionProcessesOptions;
  private readonly processes = new Map<string, SandboxProcess>();
  /** The namespaces the environment's processes share, while it has extensions running. */
  private anchor: NamespaceAnchor | undefined;

  constructor(opts: ExtensionProcessesOptions) {
    this.opts = opts;
  }

  /**
   * The external extensions this function's layers bring: the files of /opt/extensions, by name.
   * Every entry but a directory, executable or not, as RAPID lists them (agents.ListExternalAgentPaths):
   * one that cannot be started fails the Init with Extension.LaunchError.
   */
  get names(): string[] {
    const dir = this.opts.config.optDir === undefined ? undefined : join(this.opts.config.optDir, "extensions");
    if (dir === undefined) return [];
    try {
      return readdirSync(dir).sort().filter((n) => !isDirectory(join(dir, n)));
    } catch {
      return [];
    }
  }

  /** Extension processes running. */
  get size(): number {
    return this.processes.size;
  }

  has(name: string): boolean {
    return this.processes.has(name);
  }

  /**
   * Starts `names` (this.names, read by the caller once for its Init). Resolves with the first
   * one that could not be launched, `retired` when the environment was reset or retired while
   * the namespaces started (nothing is spawned for a gone environment: review23 M7), or undefined.
   */
  async start(base: SandboxOptions, names: readonly string[]): Promise<{ invalidEntrypoint: string } | "retired" | undefined> {
    if (!(await this.startAnchor(base, names))) return "retired";
    for (const name of names) {
      const started = SandboxProcess.start({
        ...base,
        environmentId: `${base.environmentId}-ext-${name.replace(/[^\w.-]/g, "_")}`,
        extension: name,
        onOutput: (chunk, pipe) => this.opts.onOutput(chunk, `${name}:${pipe}`),
        onExit: (code, signal) => this.opts.onExit(name, code, signal),
      });
      if (!(started instanceof SandboxProcess)) return { invalidEntrypoint: started.invalidEntrypoint };
      this.processes.set(name, started);
    }
    return undefined;
  }

  /** Forgets an extension whose process ended; false if it was not one of ours (killed already). */
  ended(name: string): boolean {
    return this.processes.delete(name);
  }

  freeze(): void {
    for (const p of this.processes.values()) p.freeze();
  }

  thaw(): void {
    for (const p of this.processes.values()) if (p.frozen) p.thaw();
  }

  /** Kills every extension, then the namespaces' anchor (a reset or a retirement). */
  kill(): void {
    const procs = [...this.processes.values()];
    this.processes.clear();
    for (const p of procs) p.kill();
    // Last: the runtime and extensions in its namespace are killed (or gone) already.
    this.anchor?.kill();
    this.anchor = undefined;
  }

  /** The namespaces the extensions and the runtime share (namespace-anchor.ts): `base` names its PID 1 to join. */
  private async startAnchor(base: SandboxOptions, names: readonly string[]): Promise<boolean> {
    this.anchor?.kill();
    const anchor = base.privateTmp ? NamespaceAnchor.forEnvironment(base, names, mountTableFile(base.tmpDir)) : undefined;
    this.anchor = anchor;
    const holder = await anchor?.ready();
    // kill() meanwhile (a reset or a retirement) forgot it: the start is over.
    if (this.anchor !== anchor) return false;
    if (holder !== undefined) base.joinNamespace = holder;
    return true;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
