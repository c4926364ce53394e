import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

let sdkPath: string | null | undefined;

/**
 * The node_modules directory holding the AWS SDK for JavaScript v3 clients that the Node.js
 * runtimes provide (@lambda-sim/aws-sdk-js), or undefined when it is not installed. AWS puts its
 * copy in /var/runtime/node_modules, on the runtime's NODE_PATH; this directory goes on ours. The
 * package's own node_modules with pnpm, the nearest one above it where a package manager hoists.
 */
export function nodeSdkPath(): string | undefined {
  if (sdkPath === undefined) {
    sdkPath = null;
    try {
      let dir = dirname(createRequire(import.meta.url).resolve("@lambda-sim/aws-sdk-js/package.json"));
      for (;;) {
        if (existsSync(join(dir, "node_modules", "@aws-sdk", "client-sqs"))) {
          sdkPath = join(dir, "node_modules");
          break;
        }
        if (dir === dirname(dir)) break;
        dir = dirname(dir);
      }
    } catch {
      // Not installed: handlers must bundle the SDK.
    }
  }
  return sdkPath ?? undefined;
}
