import { simGet } from "../client/sim-get.ts";
import { logicalIds, type LogicalNames } from "../template/logical-names.ts";

/** The function `tail --function NAME` follows, and what to tell the user about it on stderr. */
export interface TailFunction {
  name: string;
  note?: string;
}

/**
 * `tail --function NAME`: NAME is a function's name or, when the simulator was started from a
 * template, its logical id (`ProcessOrderFunction` for `sam-app-ProcessOrderFunction-PCG4UBR9LKO3`).
 * A name the simulator has no function for is still followed (the function may be created later),
 * with a note listing the functions it has, rather than printing nothing forever.
 */
export async function tailFunction(endpoint: string, name: string, headers: Record<string, string>): Promise<TailFunction> {
  const [state, template] = await Promise.all([simGet<{ functions?: string[] }>(endpoint, "/_sim/state", headers), simGet<{ names?: LogicalNames }>(endpoint, "/_sim/template", headers)]);
  // No simulator, or one that refuses the token: the events socket says which.
  if (state?.functions === undefined) return { name };
  const functions = state.functions;
  if (functions.includes(name)) return { name };
  const logical = template?.names?.[name];
  if (logical?.kind === "function") return { name: logical.name, note: logicalIdNote(name, logical.name) };
  const ids = logicalIds(template?.names, "function");
  const has = [...functions, ...ids].join(", ") || "none yet";
  return { name, note: `no function named '${name}' (the simulator has: ${has}); its events are shown if it is created later` };
}

/** What `tail --function` and `invoke` tell the user when they resolve a logical id. */
export function logicalIdNote(id: string, name: string): string {
  return `${id} is the template's logical id of function ${name}`;
}

/**
 * The function a simulator started from a template created for logical id `id`, read from its
 * `/_sim/template`; undefined when there is none (no template, not a function's id, no simulator).
 */
export async function templateFunction(endpoint: string, id: string, headers: Record<string, string>): Promise<string | undefined> {
  const logical = (await simGet<{ names?: LogicalNames }>(endpoint, "/_sim/template", headers))?.names?.[id];
  return logical?.kind === "function" ? logical.name : undefined;
}
