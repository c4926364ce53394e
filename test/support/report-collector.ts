import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Where test functions and extensions report what they saw: each POST to `/<what>` with a JSON
 * body is kept. A server, not files: an environment's /tmp is private, and this reaches a test
 * from any process.
 */
export interface ReportCollector {
  url: string;
  received: { what: string; body: any }[];
  /** The bodies reported under `what`, in arrival order. */
  got(what: string): any[];
  close(): void;
}

export async function startReportCollector(): Promise<ReportCollector> {
  const received: ReportCollector["received"] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push({ what: (req.url ?? "").slice(1), body: JSON.parse(body || "null") });
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    got: (what) => received.filter((r) => r.what === what).map((r) => r.body),
    close: () => void server.close(),
  };
}
