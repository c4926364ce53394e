import { decode } from "./http-request.ts";

type Segment = { kind: "static"; text: string } | { kind: "param"; name: string } | { kind: "greedy"; name: string };

/** What matched: the route, its `{params}` (decoded; empty when none), and the resource path it was declared with. */
export interface RouteMatch<T> {
  routeKey: string;
  /** "/pets/{id}"; "$default" for the default route. */
  resourcePath: string;
  pathParameters: Record<string, string>;
  target: T;
}

interface CompiledRoute<T> {
  routeKey: string;
  method: string;
  resourcePath: string;
  segments: Segment[];
  target: T;
}

/**
 * The routes of one API, compiled once, matched per request with API Gateway's precedence: at the
 * first segment where two matching routes differ, a literal segment beats a `{param}`, which beats
 * a greedy `{proxy+}`; then a route for the request's method beats `ANY`; `$default` (HTTP APIs)
 * comes last. A greedy variable takes one or more whole segments, so `/{proxy+}` does not match `/`.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html#http-api-develop-routes.evaluation
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-set-up-simple-proxy.html#api-gateway-proxy-resource
 */
export class RouteTable<T> {
  private readonly routes: CompiledRoute<T>[] = [];
  private fallback: RouteMatch<T> | undefined;

  add(routeKey: string, target: T): void {
    if (routeKey === "$default") {
      this.fallback = { routeKey, resourcePath: "$default", pathParameters: {}, target };
      return;
    }
    const space = routeKey.indexOf(" ");
    const method = routeKey.slice(0, space);
    const resourcePath = routeKey.slice(space + 1);
    this.routes.push({ routeKey, method, resourcePath, segments: compile(resourcePath), target });
  }

  get size(): number {
    return this.routes.length + (this.fallback === undefined ? 0 : 1);
  }

  /** The route for `method` and the raw (percent-encoded) request path, if any. */
  match(method: string, rawPath: string): RouteMatch<T> | undefined {
    const parts = splitPath(rawPath);
    let best: CompiledRoute<T> | undefined;
    let bestParams: Record<string, string> = {};
    for (const route of this.routes) {
      if (route.method !== method && route.method !== "ANY") continue;
      const params = matchSegments(route.segments, parts);
      if (params === undefined) continue;
      if (best === undefined || beats(route, best, method)) {
        best = route;
        bestParams = params;
      }
    }
    if (best === undefined) return this.fallback;
    return { routeKey: best.routeKey, resourcePath: best.resourcePath, pathParameters: bestParams, target: best.target };
  }
}

function compile(resourcePath: string): Segment[] {
  return splitPath(resourcePath).map((s): Segment => {
    if (s.startsWith("{") && s.endsWith("+}")) return { kind: "greedy", name: s.slice(1, -2) };
    if (s.startsWith("{") && s.endsWith("}")) return { kind: "param", name: s.slice(1, -1) };
    return { kind: "static", text: s };
  });
}

/** "/a/b/" → ["a", "b"]: one trailing slash is ignored (our choice; AWS does not document it). */
function splitPath(path: string): string[] {
  const trimmed = path.endsWith("/") ? path.slice(0, -1) : path;
  return trimmed === "" ? [] : trimmed.slice(1).split("/");
}

/** The `{params}` when `segments` match the request's path parts, else undefined. */
function matchSegments(segments: Segment[], parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    if (s.kind === "greedy") {
      if (i >= parts.length) return undefined;
      params[s.name] = decode(parts.slice(i).join("/"));
      return params;
    }
    if (i >= parts.length) return undefined;
    const part = parts[i]!;
    if (s.kind === "static") {
      if (decode(part) !== s.text) return undefined;
    } else {
      if (part === "") return undefined;
      params[s.name] = decode(part);
    }
  }
  if (segments.length !== parts.length) return undefined;
  return params;
}

const RANK = { static: 2, param: 1, greedy: 0 } as const;

/** Whether `a` is the more specific of two routes that both match. */
function beats<T>(a: CompiledRoute<T>, b: CompiledRoute<T>, method: string): boolean {
  const n = Math.min(a.segments.length, b.segments.length);
  for (let i = 0; i < n; i++) {
    const ra = RANK[a.segments[i]!.kind];
    const rb = RANK[b.segments[i]!.kind];
    if (ra !== rb) return ra > rb;
  }
  if (a.segments.length !== b.segments.length) return a.segments.length > b.segments.length;
  return a.method === method && b.method !== method;
}
