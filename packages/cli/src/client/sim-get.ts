/**
 * A `/_sim` JSON document (`/_sim/state`, `/_sim/template`) for a client command that only looks
 * something up: undefined when there is no simulator, it refuses the token, or the path is not
 * there (a simulator not started from a template has no `/_sim/template`). The command's own
 * connection (the events socket, the call it makes) reports which.
 */
export async function simGet<T>(endpoint: string, path: string, headers: Record<string, string>): Promise<T | undefined> {
  try {
    const res = await fetch(new URL(path, endpoint), { headers });
    return res.ok ? ((await res.json()) as T) : undefined;
  } catch {
    return undefined;
  }
}
