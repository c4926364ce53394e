import type { IncomingMessage, Server as HttpServer, ServerResponse } from "node:http";
import type { Http2Server, Http2Session } from "node:http2";
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from "node:net";

// node:http's CommonJS exports, not an ES import: see builtin-imports.test.ts (undici stays unloaded).
const { createServer: createHttpServer } = process.getBuiltinModule("node:http");

/** Every HTTP/2 connection without TLS opens with this preface (RFC 9113 §3.4); no HTTP/1 method starts "PRI". */
const H2_PREFACE_START = Buffer.from("PRI ");

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * One port for HTTP/1.1 and cleartext HTTP/2 with prior knowledge (DESIGN.md "The HTTP surface"):
 * the JS SDK v3 Kinesis client speaks h2c by default, every other client HTTP/1.1. A plain TCP
 * server peeks at each connection's first bytes and hands the socket to the http or the http2
 * server; both call the same handler (http2's compatibility request/response objects carry the
 * same `headers`, `url`, `method`, `writeHead` and `end` the router uses). The http2 server is
 * made at the first HTTP/2 connection: node:http2 brings TLS and nghttp2 with it, ~3 MB of an idle
 * server's RSS that most runs never use (issue 16).
 */
export class DualProtocolServer {
  readonly http: HttpServer;
  private h2?: Http2Server;
  private readonly handler: RequestHandler;
  private readonly tcp: NetServer;
  private readonly sockets = new Set<Socket>();
  private readonly sessions = new Set<Http2Session>();

  constructor(handler: RequestHandler) {
    this.handler = handler;
    this.http = createHttpServer({ keepAlive: true, noDelay: true }, handler);
    this.tcp = createNetServer({ noDelay: true }, (socket) => this.accept(socket));
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.once("close", () => this.sockets.delete(socket));
    socket.once("error", () => socket.destroy());
    socket.once("data", (first: Buffer) => {
      // Put the bytes back and let the chosen server read them as if it had accepted the socket.
      socket.pause();
      socket.unshift(first);
      const h2 = first.subarray(0, H2_PREFACE_START.length).equals(H2_PREFACE_START.subarray(0, Math.min(first.length, H2_PREFACE_START.length)));
      // The http2 session drains what is buffered itself; the http parser needs the stream flowing.
      if (h2) {
        this.http2().emit("connection", socket);
      } else {
        this.http.emit("connection", socket);
        socket.resume();
      }
    });
  }

  private http2(): Http2Server {
    if (this.h2 !== undefined) return this.h2;
    const { createServer } = process.getBuiltinModule("node:http2");
    this.h2 = createServer({}, this.handler as unknown as Parameters<typeof createServer>[1]);
    this.h2.on("session", (s: Http2Session) => {
      this.sessions.add(s);
      s.once("close", () => this.sessions.delete(s));
    });
    return this.h2;
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.tcp.once("error", reject);
      this.tcp.listen(port, host, () => {
        this.tcp.off("error", reject);
        resolve((this.tcp.address() as AddressInfo).port);
      });
    });
  }

  /** Stops accepting and drops every open connection (shutdown). */
  close(): void {
    this.tcp.close();
    for (const s of this.sessions) s.destroy();
    for (const s of this.sockets) s.destroy();
    this.http.closeAllConnections();
  }
}
