import { request } from "node:http";

export interface HttpReply {
  status: number;
  /** node's parsed headers: lower-case names; `set-cookie` a list. */
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
  json(): any;
}

/**
 * One HTTP/1.1 request with node:http, which (unlike fetch) lets a test send a Host header of its
 * choosing and repeated headers (an array value goes out as one line per value).
 */
export function httpCall(url: string, opts: { method?: string; headers?: Record<string, string | string[]>; body?: string | Buffer } = {}): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? "GET", headers: opts.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        const body = Buffer.concat(chunks);
        const text = body.toString("utf8");
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text, json: () => JSON.parse(text) });
      });
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}
