import type { RestRoute } from "./rest-json.ts";

interface CompiledRoute {
  route: RestRoute;
  segments: (string | { param: string; greedy: boolean })[];
}

export interface RouteMatch {
  route: RestRoute;
  params: Record<string, string>;
}

/**
 * Matches REST-JSON operations by method and path pattern. Routes are data (one table per
 * service); matching splits the path once and compares segments, with no regex per request.
 * `{Name+}` is a greedy parameter as in the Smithy http trait.
 */
export class RestRouter {
  private readonly byMethod = new Map<string, CompiledRoute[]>();

  constructor(routes: readonly RestRoute[] = []) {
    for (const r of routes) this.add(r);
  }

  add(route: RestRoute): void {
    const segments = route.path
      .split("/")
      .slice(1)
      .map((s) => {
        const m = /^\{(\w+)(\+?)\}$/.exec(s);
        return m ? { param: m[1]!, greedy: m[2] === "+" } : s;
      });
    const list = this.byMethod.get(route.method) ?? [];
    list.push({ route, segments });
    this.byMethod.set(route.method, list);
  }

  match(method: string, pathname: string): RouteMatch | undefined {
    const routes = this.byMethod.get(method);
    if (!routes) return undefined;
    const parts = pathname.split("/").slice(1);
    for (const { route, segments } of routes) {
      if (!fixedSegmentsMatch(segments, parts)) continue;
      const params = matchSegments(segments, parts);
      if (params) return { route, params };
    }
    return undefined;
  }
}

/** The literal segments alone, compared first: most routes fail here, before any decoding or allocation. */
function fixedSegmentsMatch(segments: CompiledRoute["segments"], parts: string[]): boolean {
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    if (typeof seg === "string") {
      if (parts[i] !== seg) return false;
    } else if (seg.greedy) return true;
  }
  return segments.length === parts.length;
}

function matchSegments(segments: CompiledRoute["segments"], parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    if (typeof seg === "string") continue;
    if (seg.greedy) {
      if (i >= parts.length) return undefined;
      params[seg.param] = decodePathSegment(parts.slice(i).join("/"));
      return params;
    }
    const part = parts[i];
    if (part === undefined || part === "") return undefined;
    params[seg.param] = decodePathSegment(part);
  }
  return segments.length === parts.length ? params : undefined;
}

const UTF8 = new TextDecoder("utf-8");

/**
 * A path parameter, percent-decoded. Invalid escapes or bytes that are not UTF-8
 * (`/functions/%C3%28/invocations`, `/schedules/%ff%fe`) decode with U+FFFD in their place, so the
 * value fails the member's pattern (a 400 naming the member) instead of throwing.
 */
export function decodePathSegment(s: string): string {
  if (s.indexOf("%") < 0) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    const bytes: number[] = [];
    for (let i = 0; i < s.length; i++) {
      const hex = s[i] === "%" ? s.slice(i + 1, i + 3) : "";
      if (/^[0-9a-fA-F]{2}$/.test(hex)) {
        bytes.push(parseInt(hex, 16));
        i += 2;
      } else {
        bytes.push(...Buffer.from(s[i]!, "utf8"));
      }
    }
    return UTF8.decode(Uint8Array.from(bytes));
  }
}
