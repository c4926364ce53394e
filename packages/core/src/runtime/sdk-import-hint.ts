import { providedSdkClients } from "./node-sdk-path.ts";

/**
 * What to tell a user whose Node handler failed (at init, or at a dynamic import) because it imports an AWS SDK for
 * JavaScript v3 client un-bundled that AWS's nodejs runtimes provide (the whole SDK, in
 * /var/runtime/node_modules) but lambda-sim's do not: they provide the clients of the services it
 * simulates (the @lambda-sim/aws-sdk-js package, node-sdk-path.ts). The error itself stays as
 * Node and AWS's runtime report it (Runtime.ImportModuleError for require(), ERR_MODULE_NOT_FOUND
 * for an ES import); this is the simulator's own word beside it, or undefined for another error.
 */
export function sdkImportHint(functionName: string, runtime: string, errorPayload: Buffer): string | undefined {
  if (!runtime.startsWith("nodejs")) return undefined;
  const text = errorPayload.toString("utf8");
  const missing = /Cannot find (?:package|module) '(@aws-sdk\/[a-z0-9-]+)/.exec(text)?.[1];
  const provided = providedSdkClients();
  if (missing === undefined || provided.includes(missing)) return undefined;
  return (
    `${functionName} imports ${missing}, which AWS's nodejs runtimes provide but lambda-sim's do not ` +
    `(they provide ${provided.map((c) => c.replace("@aws-sdk/", "")).join(", ")}): bundle it, or add it to the function's dependencies (npm install ${missing} in its code folder)`
  );
}
