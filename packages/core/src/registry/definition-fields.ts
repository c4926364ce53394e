import { FUNCTION_DEFAULTS, type FunctionDefinition } from "../config/function-definition.ts";
import type { FunctionVersionConfig } from "./function-model.ts";

/** What a function's `sim:` settings are when lambda-sim.yaml says nothing: frozen between invocations, reaped after 10 idle minutes. */
export const SIM_DEFAULTS = { freeze: true, idleLifetimeMs: 600_000 };

/**
 * What a lambda-sim.yaml (or template) function definition makes of $LATEST, and whether a stored
 * $LATEST already is that: applyFunctionDefinitions() (declared-functions.ts) updates a declared
 * function only when its definition or files changed, so an unchanged one keeps its revision and
 * its warm environments.
 */
export type DefinitionFields = Omit<FunctionVersionConfig, "functionArn" | "version" | "lastModified" | "revisionId">;

/** AWS's CreateFunction defaults (aws-facts §3): 128 MB, 3 s, 512 MB of /tmp, x86_64. */
export function definitionFields(def: FunctionDefinition, expand: (ref: string) => string): Omit<DefinitionFields, "codeSha256" | "codeSize"> {
  return {
    functionName: def.functionName,
    runtime: def.runtime,
    handler: def.handler ?? "",
    role: def.role ?? "arn:aws:iam::000000000000:role/lambda-sim",
    description: def.description ?? "",
    memorySize: def.memorySize ?? FUNCTION_DEFAULTS.memorySize,
    timeout: def.timeout ?? FUNCTION_DEFAULTS.timeout,
    ephemeralStorageSize: def.ephemeralStorageSize ?? FUNCTION_DEFAULTS.ephemeralStorageSize,
    environment: def.environment ?? {},
    architectures: def.architectures ?? ["x86_64"],
    codeDir: def.codeDir,
    deadLetterTargetArn: def.deadLetterTargetArn === undefined ? undefined : expand(def.deadLetterTargetArn),
    // Declared or not: one set through the API does not outlive the next start, as no other setting does.
    loggingConfig: def.loggingConfig,
    model: def.model,
    sim: {
      freeze: def.sim?.freeze ?? SIM_DEFAULTS.freeze,
      idleLifetimeMs: def.sim?.idleLifetimeMs ?? SIM_DEFAULTS.idleLifetimeMs,
      serviceTimeMs: def.sim?.serviceTimeMs,
    },
  };
}

export function sameDefinition(current: FunctionVersionConfig, fields: DefinitionFields): boolean {
  return (Object.keys(fields) as (keyof DefinitionFields)[]).every((k) => JSON.stringify(current[k]) === JSON.stringify(fields[k]));
}
