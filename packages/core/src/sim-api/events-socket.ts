import { createRequire } from "node:module";
import type { WebSocket, WebSocketServer } from "ws";
import type { SimUpgradeHandler } from "./sim-api.ts";
import type { EventHub } from "../telemetry/event-hub.ts";
import { BEARER_PROTOCOL_PREFIX } from "./sim-token.ts";

export const EVENTS_PATH = "/_sim/events";

/**
 * `/_sim/events`: the EventHub over WebSocket (an HTTP/1.1 upgrade on the simulator's port; never
 * on the AWS path). A client may send `{"kind":"sample"}` to get the state views again (the
 * dashboard does, once a second, for its gauges), and `{"kind":"subscribe", types?, excludeTypes?,
 * functions?, states?, previews?, warmStarts?, coalesce?, compact?, summarize?}` to get only what it shows (HubSubscription); anything else it sends is ignored.
 */
export function eventsSocket(hub: EventHub): { upgrade: SimUpgradeHandler; close(): void } {
  // ws (and the TLS stack it loads) at the first subscriber: ~2 MB of an idle server's RSS (issue 16).
  let wss: WebSocketServer | undefined;
  const server = (): WebSocketServer => {
    if (wss !== undefined) return wss;
    // The class taken out first: `new (require("ws") as …).WebSocketServer(…)` lost its
    // parentheses in the packed build's TypeScript emit, calling the class without `new`.
    const { WebSocketServer: Server } = createRequire(import.meta.url)("ws") as typeof import("ws");
    return (wss = new Server({
      noServer: true,
      maxPayload: 64 * 1024,
      // A browser offers ["lambda-sim", "bearer.<token>"] under --auth (SimApi): the token is never echoed back.
      handleProtocols: (offered) => [...offered].find((p) => !p.startsWith(BEARER_PROTOCOL_PREFIX)) ?? false,
    }));
  };
  return {
    upgrade: (req, socket, head) => server().handleUpgrade(req, socket, head, (ws) => attach(ws, hub)),
    close() {
      if (wss === undefined) return;
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
    let msg: { kind?: unknown };
    try {
      msg = JSON.parse(String(data)) as { kind?: unknown };
    } catch {
      return; // not JSON: ignored
    }
    if (msg?.kind === "sample") client.sample();
    else if (msg?.kind === "subscribe" && !client.subscribe(msg)) {
      ws.send(JSON.stringify({ kind: "error", message: "subscribe: expected { types?: string[], excludeTypes?: string[], functions?: string[], states?: string[], previews?: boolean, warmStarts?: boolean, coalesce?: boolean, compact?: boolean, summarize?: boolean (with coalesce and previews: false) }" }));
    }
  });
  ws.on("close", () => client.close());
  ws.on("error", () => client.close());
}
