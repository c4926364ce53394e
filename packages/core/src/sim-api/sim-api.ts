import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import express from "express";

/** A JSON route's handler: path parameters in, a JSON-serialisable value (or its promise) out. */
export type SimRouteHandler = (params: Record<string, string>) => unknown;
/** Takes over an HTTP/1.1 upgrade (a WebSocket: `new WebSocketServer({ noServer: true }).handleUpgrade`). */
export type SimUpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** `/_sim`, `/_sim/...` and `/_sim?...`: never an AWS path (DESIGN.md "The HTTP surface"). */
export function isSimPath(url: string | undefined): boolean {
  return url !== undefined && url.startsWith("/_sim") && (url.length === 5 || url[5] === "/" || url[5] === "?");
}

/**
 * The simulator's own API, `/_sim/...` (DESIGN.md), on express: never the AWS hot path.
 *
 * How a module adds routes (one line in simulator.ts, or `ctx.addSimRoute` from a source):
 * - `simApi.use(router)`: an express Router whose paths are written in full (`/_sim/clock`), so
 *   grepping a path finds its handler. Parse bodies in the router (`router.use(express.json())`).
 * - `simApi.addRoute(path, handler, method)`: one JSON route; a thrown error answers 404.
 * - `simApi.onUpgrade(path, handler)`: a WebSocket endpoint (`/_sim/events`).
 * Routers are consulted in the order they were added.
 */
export class SimApi {
  private readonly app = express();
  private readonly upgrades = new Map<string, SimUpgradeHandler>();

  constructor() {
    this.app.disable("x-powered-by");
  }

  use(router: express.Router): void {
    this.app.use(router);
  }

  addRoute(path: string, handler: SimRouteHandler, method: "GET" | "POST" = "GET"): void {
    this.app[method === "POST" ? "post" : "get"](path, async (req, res) => {
      try {
        res.json(await handler(req.params as Record<string, string>));
      } catch (e) {
        res.status(404).json({ message: (e as Error).message });
      }
    });
  }

  onUpgrade(path: string, handler: SimUpgradeHandler): void {
    if (this.upgrades.has(path)) throw new Error(`an upgrade handler for ${path} is already registered`);
    this.upgrades.set(path, handler);
  }

  /** Serves a request `isSimPath` accepted. */
  handle(req: IncomingMessage, res: ServerResponse): void {
    // express cannot drive http2's compatibility objects (it would crash the process).
    if (req.httpVersionMajor === 2) {
      res.writeHead(505, { "content-type": "application/json" }).end('{"message":"the /_sim/ API speaks HTTP/1.1 only"}');
      return;
    }
    this.app(req, res);
  }

  /** An HTTP/1.1 `upgrade` event: to its registered handler, or the socket is refused. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? "").split("?")[0]!;
    const handler = this.upgrades.get(path);
    if (handler === undefined) {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    handler(req, socket, head);
  }
}
