import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

let sdkPath: string | null | undefined;
let sdkTargets: string[] = [];

/** The node_modules directories the links of nodeSdkPath() point into, with the clients' dependencies. */
export function nodeSdkTargets(): string[] {
  return sdkTargets;
}

/**
 * A node_modules directory holding only the AWS SDK for JavaScript v3 clients the Node.js runtimes
 * provide (the dependencies of @lambda-sim/aws-sdk-js), or undefined when they are not installed.
 * AWS has its copy in /var/runtime/node_modules, on the runtime's NODE_PATH; this directory goes on
 * ours. It holds links to the installed clients, wherever the package manager put them, so that
 * nothing else of lambda-sim's own dependencies (zod, express...) is visible to handlers: code that
 * would fail on AWS for want of bundling fails here too. Built once per process, under the system's
 * temporary directory, named after what it links to.
 */
export function nodeSdkPath(): string | undefined {
  if (sdkPath === undefined) {
    try {
      sdkPath = linkClients();
    } catch {
      sdkPath = null; // Not installed: handlers must bundle the SDK.
    }
  }
  return sdkPath ?? undefined;
}

let clients: readonly string[] | undefined;

/** The clients the Node.js runtimes provide (`@aws-sdk/client-sqs`...), sorted, read once; none when they are not installed. */
export function providedSdkClients(): readonly string[] {
  if (clients === undefined) {
    try {
      clients = Object.keys((JSON.parse(readFileSync(sdkManifest(), "utf8")) as { dependencies: Record<string, string> }).dependencies).sort();
    } catch {
      clients = [];
    }
  }
  return clients;
}

function sdkManifest(): string {
  return createRequire(import.meta.url).resolve("@lambda-sim/aws-sdk-js/package.json");
}

function linkClients(): string {
  const manifest = sdkManifest();
  const fromPackage = createRequire(manifest);
  const names = providedSdkClients();
  if (names.length === 0) throw new Error("no AWS SDK clients installed");
  const targets = names.map((name) => [name, dirname(fromPackage.resolve(`${name}/package.json`))] as const);
  sdkTargets = [...new Set(targets.map(([, target]) => target.slice(0, target.lastIndexOf("/node_modules/") + "/node_modules".length)))];
  const hash = createHash("sha1").update(JSON.stringify(targets)).digest("hex").slice(0, 12);
  const dir = join(tmpdir(), `lambda-sim-aws-sdk-${hash}`, "node_modules");
  for (const [name, target] of targets) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    try {
      symlinkSync(target, join(dir, name), "dir");
    } catch (e) {
      // Made by an earlier run (or another simulator of this one) for the same installation.
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
  }
  return dir;
}
