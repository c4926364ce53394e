import { binaryOrder } from "../text/binary-order.ts";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type express from "express";
import { BEARER_PROTOCOL_PREFIX } from "./sim-token.ts";
import { simErrorBody } from "./sim-json.ts";

/** A JSON route's handler: path parameters in, a JSON-serialisable value (or its promise) out. */
export type SimRouteHandler = (params: Record<string, string>) => unknown;
/** One entry of `GET /_sim`'s index. */
export interface SimRoute {
  method: string;
  path: string;
  websocket?: boolean;
}
/** Takes over an HTTP/1.1 upgrade (a WebSocket: `new WebSocketServer({ noServer: true }).handleUpgrade`). */
export type SimUpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * Builds a module's express Router: called, with express loaded, at the first /_sim request.
 * Write it as `async () => (await import("./my-routes.ts")).myRoutes(deps)` so the module (and
 * express) stay unloaded in a simulator nobody asks.
 */
export type RouterLoader = () => express.Router | Promise<express.Router>;

type Mount = { router: RouterLoader } | { path: string; method: "GET" | "POST"; handler: SimRouteHandler };

/** `/_sim/health` answers without credentials even with `--auth` (readiness probes). */
const OPEN_PATHS = new Set(["/_sim/health"]);

/** `/_sim`, `/_sim/...` and `/_sim?...`: never an AWS path (DESIGN.md "The HTTP surface"). */
export function isSimPath(url: string | undefined): boolean {
  return url !== undefined && url.startsWith("/_sim") && (url.length === 5 || url[5] === "/" || url[5] === "?");
}

/**
 * The simulator's own API, `/_sim/...` (DESIGN.md), on express: never the AWS hot path. express
 * and the routers are loaded at the first /_sim request: ~40 ms of CPU and ~3 MB of RSS at each
 * start (measured with the bundled example) that a simulator serving only AWS calls never pays.
 *
 * How a module adds routes (one line in simulator.ts, or `ctx.addSimRoute` from a source):
 * - `simApi.use(async () => (await import("./x-routes.ts")).xRoutes(deps))`: an express Router
 *   whose paths are written in full (`/_sim/clock`), so grepping a path finds its handler. Parse
 *   bodies in the router (`router.use(express.json())`).
 * - `simApi.addRoute(path, handler, method)`: one JSON route; a thrown error answers 404.
 * - `simApi.onUpgrade(path, handler)`: a WebSocket endpoint (`/_sim/events`).
 * Routers and routes are consulted in the order they were added.
 */
export class SimApi {
  private readonly upgrades = new Map<string, SimUpgradeHandler>();
  private readonly mounts: Mount[] = [];
  /** The app with every mount so far, once a request has asked for it; later mounts chain on. */
  private app: Promise<express.Express> | undefined;
  private readonly routers: express.Router[] = [];
  private readonly acceptsToken: ((token: string) => boolean) | undefined;
  private readonly anonymousPrefixes: string[] = [];

  /**
   * With `acceptsToken` (`--auth`), every route but `/_sim/health` (and allowAnonymous ones) wants
   * `Authorization: Bearer <token>` (the secret access key of an accepted credential, or its
   * simToken); a WebSocket may carry it as the subprotocol `bearer.<token>`, since a browser
   * cannot set headers on one.
   */
  constructor(acceptsToken?: (token: string) => boolean) {
    this.acceptsToken = acceptsToken;
  }

  /**
   * Serves paths under `prefix` without the bearer: static files a browser loads by itself (the
   * dashboard's page and scripts), which hold no data; the data they fetch still wants it.
   */
  allowAnonymous(prefix: string): void {
    this.anonymousPrefixes.push(prefix);
  }

  use(router: RouterLoader): void {
    this.mount({ router });
  }

  addRoute(path: string, handler: SimRouteHandler, method: "GET" | "POST" = "GET"): void {
    this.mount({ path, method, handler });
  }

  private mount(m: Mount): void {
    this.mounts.push(m);
    if (this.app !== undefined) this.app = this.app.then((app) => this.apply(app, m));
  }

  private async apply(app: express.Express, m: Mount): Promise<express.Express> {
    if ("router" in m) {
      const router = await m.router();
      this.routers.push(router);
      app.use(router);
      return app;
    }
    app[m.method === "POST" ? "post" : "get"](m.path, async (req, res) => {
      try {
        res.json(await m.handler(req.params as Record<string, string>));
      } catch (e) {
        res.status(404).json(simErrorBody(404, (e as Error).message));
      }
    });
    return app;
  }

  private async build(): Promise<express.Express> {
    const { default: express } = await import("express");
    let app = express();
    app.disable("x-powered-by");
    for (const m of this.mounts) app = await this.apply(app, m);
    return app;
  }

  onUpgrade(path: string, handler: SimUpgradeHandler): void {
    if (this.upgrades.has(path)) throw new Error(`an upgrade handler for ${path} is already registered`);
    this.upgrades.set(path, handler);
  }

  /** Serves a request `isSimPath` accepted. */
  handle(req: IncomingMessage, res: ServerResponse): void {
    // express cannot drive http2's compatibility objects (it would crash the process).
    if (req.httpVersionMajor === 2) {
      res.writeHead(505, { "content-type": "application/json" }).end(JSON.stringify(simErrorBody(505, "the /_sim/ API speaks HTTP/1.1 only")));
      return;
    }
    if (!this.authorized(req)) {
      res.writeHead(401, { "content-type": "application/json", "www-authenticate": 'Bearer realm="lambda-sim"' }).end(JSON.stringify(simErrorBody(401, "/_sim needs Authorization: Bearer <secret access key> when lambda-sim runs with --auth")));
      return;
    }
    this.app ??= this.build();
    this.app.then(
      (app) => app(req as express.Request, res as express.Response, (err?: unknown) => this.unmatched(req, res, err)),
      (e: unknown) => this.unmatched(req, res, e),
    );
  }

  /** Every route served, for `GET /_sim` (asked once the app is built): what modules mounted, in path order. */
  routes(): SimRoute[] {
    const out: SimRoute[] = this.mounts.flatMap((m) => ("path" in m ? [{ method: m.method, path: m.path }] : []));
    for (const router of this.routers) {
      for (const layer of router.stack) {
        const route = layer.route as { path?: unknown; methods?: Record<string, boolean> } | undefined;
        if (typeof route?.path !== "string") continue;
        for (const m of Object.keys(route.methods ?? {})) if (m !== "_all") out.push({ method: m.toUpperCase(), path: route.path });
      }
    }
    for (const path of this.upgrades.keys()) out.push({ method: "GET", path, websocket: true });
    return out.sort((a, b) => binaryOrder(a.path, b.path) || binaryOrder(a.method, b.method));
  }

  /**
   * What no route answered: `GET /_sim` lists the routes, anything else is a JSON 404 (not
   * express's HTML page), and an error a route let through (a body that is not JSON) its status.
   */
  private unmatched(req: IncomingMessage, res: ServerResponse, err: unknown): void {
    const path = (req.url ?? "").split("?")[0]!;
    let status = 404;
    let body: unknown;
    if (err !== undefined && err !== null) {
      const e = err as { status?: number; statusCode?: number; message?: string };
      status = e.status ?? e.statusCode ?? 500;
      body = simErrorBody(status, e.message ?? String(err));
    } else if ((path === "/_sim" || path === "/_sim/") && (req.method === "GET" || req.method === "HEAD")) {
      status = 200;
      body = { routes: this.routes() };
    } else {
      body = simErrorBody(404, `lambda-sim has no ${req.method} ${path}: GET /_sim lists the routes of its own API`);
    }
    if (res.headersSent) return void res.end();
    res.writeHead(status, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(body));
  }

  private authorized(req: IncomingMessage): boolean {
    if (this.acceptsToken === undefined) return true;
    const path = (req.url ?? "").split("?")[0]!;
    if (OPEN_PATHS.has(path) || this.anonymousPrefixes.some((p) => path === p || path.startsWith(`${p}/`))) return true;
    const auth = req.headers.authorization;
    if (auth !== undefined) return auth.startsWith("Bearer ") && this.acceptsToken(auth.slice(7).trim());
    // A browser's WebSocket: `new WebSocket(url, ["lambda-sim", "bearer.<token>"])`.
    const offered = (req.headers["sec-websocket-protocol"] ?? "").split(",").map((p) => p.trim());
    const token = offered.find((p) => p.startsWith(BEARER_PROTOCOL_PREFIX))?.slice(BEARER_PROTOCOL_PREFIX.length);
    return token !== undefined && this.acceptsToken(token);
  }

  /** An HTTP/1.1 `upgrade` event: to its registered handler, or the socket is refused. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? "").split("?")[0]!;
    const handler = this.upgrades.get(path);
    if (!this.authorized(req)) {
      socket.end("HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    if (handler === undefined) {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    handler(req, socket, head);
  }
}
