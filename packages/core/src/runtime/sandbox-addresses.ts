import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Each execution environment's own loopback address, the one `sandbox` and `sandbox.localdomain`
 * resolve to inside it (its /etc/hosts, mounted in its private mount namespace).
 *
 * On AWS every environment is its own microVM with its own network, so an extension that listens
 * on a fixed port (the Telemetry API samples' `sandbox.localdomain:4243`, vendor agents' 8126,
 * 2773, 8080...) binds it in each of them. Here environments share the machine's network; Linux
 * routes all of 127.0.0.0/8 to the loopback and anyone may bind any of it without privileges, so
 * an address per environment keeps such listeners apart without root, without a network
 * namespace, and without cutting a handler off from the simulator's port or the internet.
 * Listeners bound to 0.0.0.0, 127.0.0.1 or `localhost` still collide (said in the README).
 *
 * Addresses come from 127.1.0.0-127.254.255.255 (127.0.x.x holds the machine's own: 127.0.0.1,
 * Debian's 127.0.1.1, resolved's 127.0.0.53). Our choice: each simulator process starts at a block
 * of 1,024 picked by its pid, so simulators running side by side (test workers, two projects) do not
 * hand out the same address; an environment's address is reused once it is retired, so its hosts
 * file is written once per address, not once per environment.
 */
export class SandboxAddresses {
  private static readonly BLOCK = 1024;
  private static readonly SPACE = 254 * 65536;
  private readonly base: number;
  private readonly free: number[] = [];
  private next = 0;
  private readonly inUse = new Set<string>();
  private readonly hostsFiles = new Map<string, string>();
  private hostsDir: string | undefined;
  private hostLines: string | undefined;

  constructor(seed: number) {
    this.base = (seed % Math.floor(SandboxAddresses.SPACE / SandboxAddresses.BLOCK)) * SandboxAddresses.BLOCK;
  }

  /**
   * An address no live environment of this process holds. The hosts file of the address the next
   * call will hand out is written off this one's critical path (a file write costs 0.2-1.5 ms on a
   * busy machine), so only the first environment with layers pays for one.
   */
  acquire(): string {
    const address = this.addressAt(this.free.pop() ?? this.next++);
    this.inUse.add(address);
    setImmediate(() => this.hostsFile(this.addressAt(this.free.at(-1) ?? this.next)));
    return address;
  }

  /** The environment is retired: its address may serve another. */
  release(address: string): void {
    if (!this.inUse.delete(address)) return;
    const [, a, b, c] = address.split(".").map(Number);
    const offset = ((a! - 1) << 16) | (b! << 8) | c!;
    this.free.push((offset - this.base + SandboxAddresses.SPACE) % SandboxAddresses.SPACE);
  }

  private addressAt(index: number): string {
    const offset = (this.base + index) % SandboxAddresses.SPACE;
    return `127.${1 + (offset >>> 16)}.${(offset >>> 8) & 255}.${offset & 255}`;
  }

  /**
   * The /etc/hosts of an environment whose address is `address`: the machine's own, plus `sandbox`
   * and `sandbox.localdomain` on that address, the names extensions written for AWS bind their
   * listeners to and name as their Telemetry API destination.
   */
  hostsFile(address: string): string {
    let file = this.hostsFiles.get(address);
    if (file === undefined) {
      if (this.hostsDir === undefined) {
        const dir = mkdtempSync(join(tmpdir(), "lambda-sim-hosts-"));
        // One folder per simulator process, gone with it (they piled up in the OS temp directory).
        process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
        this.hostsDir = dir;
      }
      this.hostLines ??= machineHosts();
      file = join(this.hostsDir, address);
      writeFileSync(file, `${this.hostLines}${address}\tsandbox sandbox.localdomain\n`);
      this.hostsFiles.set(address, file);
    }
    return file;
  }
}

/** The machine's /etc/hosts, ending with a newline (its `localhost` stays 127.0.0.1). */
function machineHosts(): string {
  let hosts: string;
  try {
    hosts = readFileSync("/etc/hosts", "utf8");
  } catch {
    hosts = "127.0.0.1\tlocalhost\n";
  }
  return hosts === "" || hosts.endsWith("\n") ? hosts : `${hosts}\n`;
}

/** The addresses of this simulator process's environments. */
export const sandboxAddresses = new SandboxAddresses(process.pid);
