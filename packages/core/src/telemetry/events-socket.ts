import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import type { EventHub } from "./event-hub.ts";

export const EVENTS_PATH = "/_sim/events";

/**
 * `/_sim/events`: the EventHub over WebSocket (HTTP/1.1 upgrade on the simulator's port; never on
 * the AWS path). A client may send `{"kind":"sample"}` to get the state views again (the dashboard
 * does, once a second, for its gauges); everything else it sends is ignored.
 */
export function serveEvents(server: Server, hub: EventHub): { close(): void } {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? "").split("?")[0];
    if (path !== EVENTS_PATH) {
      socket.end("HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws, hub));
  };
  server.on("upgrade", onUpgrade);
  return {
    close() {
      server.off("upgrade", onUpgrade);
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}

function attach(ws: WebSocket, hub: EventHub): void {
  const client = hub.connect({
    send: (text, written) => {
      if (ws.readyState === ws.OPEN) ws.send(text, () => written());
    },
    bufferedBytes: () => ws.bufferedAmount,
  });
  ws.on("message", (data) => {
    try {
      if ((JSON.parse(String(data)) as { kind?: string }).kind === "sample") client.sample();
    } catch {
      // not JSON: ignored
    }
  });
  ws.on("close", () => client.close());
  ws.on("error", () => client.close());
}
