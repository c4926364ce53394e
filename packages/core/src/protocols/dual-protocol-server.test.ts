import { connect } from "node:http2";
import { Agent, request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { DualProtocolServer } from "./dual-protocol-server.ts";

let server: DualProtocolServer | undefined;
afterEach(() => server?.close());

async function echoServer(): Promise<number> {
  server = new DualProtocolServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.stringify({ version: req.httpVersion, url: req.url, bytes: Buffer.concat(chunks).length });
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
      res.end(body);
    });
  });
  return server.listen(0, "127.0.0.1");
}

describe("DualProtocolServer: HTTP/1.1 and h2c on one port", () => {
  it("serves HTTP/1.1 keep-alive requests", async () => {
    const port = await echoServer();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise<string>((resolve, reject) => {
        const req = request({ host: "127.0.0.1", port, path: "/one", method: "POST", agent }, (res) => {
          let text = "";
          res.on("data", (c) => (text += c));
          res.on("end", () => resolve(text));
        });
        req.on("error", reject);
        req.end("hello");
      });
    for (let i = 0; i < 3; i++) expect(JSON.parse(await get())).toEqual({ version: "1.1", url: "/one", bytes: 5 });
    agent.destroy();
  });

  it("serves HTTP/2 with prior knowledge, several streams on one session, large bodies too", async () => {
    const port = await echoServer();
    const session = connect(`http://127.0.0.1:${port}`);
    const post = (bytes: number) =>
      new Promise<string>((resolve, reject) => {
        const stream = session.request({ ":method": "POST", ":path": "/two" });
        let text = "";
        stream.on("data", (c) => (text += c));
        stream.on("end", () => resolve(text));
        stream.on("error", reject);
        stream.end(Buffer.alloc(bytes, 1));
      });
    const answers = await Promise.all([post(10), post(3 * 1024 * 1024), post(0)]);
    expect(answers.map((a) => JSON.parse(a))).toEqual([
      { version: "2.0", url: "/two", bytes: 10 },
      { version: "2.0", url: "/two", bytes: 3 * 1024 * 1024 },
      { version: "2.0", url: "/two", bytes: 0 },
    ]);
    session.close();
  });
});
