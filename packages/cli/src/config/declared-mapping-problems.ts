import { arnService, mappingInputProblems, mappingSchema, toMappingInput, type MappingKind, type Source } from "@lambda-sim/core";

/**
 * What CreateEventSourceMapping's parameter checks would refuse in each declared mapping (a
 * lambda-sim.yaml's `eventSourceMappings`, a template's translated events), in AWS's words, every
 * one: found with the file's other problems, so that one start lists them all (newuser13 N13-3).
 * An entry the schema refuses is the schema's to report. What needs the running sources (the
 * function, the queue or stream, a queue's batch size limit and visibility timeout) is checked at
 * start, for every mapping (EventSourceMappings.definitionProblems).
 */
export function declaredMappingProblems(entries: unknown, sources: readonly Source<any>[], region: string, accountId: string, now?: number): { index: number; message: string }[] {
  const kinds: Record<string, MappingKind> = Object.assign({}, ...sources.map((s) => s.mappingKinds ?? {}));
  const list: unknown[] = Array.isArray(entries) ? entries : [];
  return list.flatMap((entry, index) => {
    const parsed = mappingSchema.safeParse(entry);
    if (!parsed.success) return [];
    const input = toMappingInput(parsed.data, region, accountId);
    const kind = input.EventSourceArn === undefined ? undefined : kinds[arnService(input.EventSourceArn)];
    // The start's clock is not running yet: without a service time, a starting timestamp in the
    // future is left to the start to refuse.
    return mappingInputProblems(input, { kind, now: now ?? Number.POSITIVE_INFINITY }).map((e) => ({ index, message: e.message }));
  });
}
