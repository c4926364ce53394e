import { WebSocketServer, type WebSocket } from "ws";
import type { SimUpgradeHandler } from "../sim-api/sim-api.ts";
import type { EventHub } from "./event-hub.ts";

export const EVENTS_PATH = "/_sim/events";

/**
 * `/_sim/events`: the EventHub over WebSocket (an HTTP/1.1 upgrade on the simulator's port; never
 * on the AWS path). A client may send `{"kind":"sample"}` to get the state views again (the
 * dashboard does, once a second, for its gauges); anything else it sends is ignored.
 */
export function eventsSocket(hub: EventHub): { upgrade: SimUpgradeHandler; close(): void } {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  return {
    upgrade: (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => attach(ws, hub)),
    close() {
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
