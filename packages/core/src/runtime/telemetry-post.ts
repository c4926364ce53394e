// node:http's CommonJS exports, not an ES import: see builtin-imports.test.ts (undici stays unloaded).
const { request } = process.getBuiltinModule("node:http");

/**
 * POSTs one batch to a subscriber's listener; resolves with why it was not delivered, if it was
 * not. A listener that is gone loses it, as on AWS (delivery is best effort). A kept-alive
 * connection the listener closed while idle fails before any answer: its keep-alive timeout ran
 * late, with the environment frozen after the request was written (the timer runs before the read
 * on the thaw), or raced the request. The batch never reached the listener, so it is sent again
 * once on a new connection, as HTTP clients do for a request on a stale kept-alive socket (Node's
 * `request.reusedSocket`). `signal` ends it unanswered (the environment is gone).
 */
export function postBatch(url: URL, sandboxAddress: string, body: string, signal: AbortSignal, fresh = false): Promise<string | undefined> {
  const loopback = url.hostname === "sandbox" || url.hostname === "sandbox.localdomain" ? sandboxAddress : url.hostname;
  return new Promise((resolve) => {
    if (signal.aborted) return resolve("the environment is gone");
    let answered = false;
    const options = { host: loopback, port: url.port || 80, path: url.pathname + url.search, method: "POST", signal, headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) } };
    const req = request(fresh ? { ...options, agent: false } : options, (res) => {
      answered = true;
      res.resume();
      res.on("end", () => resolve(undefined));
      res.on("error", (e) => resolve(e.message));
    });
    req.on("error", (e) => {
      if (!answered && !fresh && !signal.aborted && req.reusedSocket) resolve(postBatch(url, sandboxAddress, body, signal, true));
      else resolve(e.message);
    });
    req.end(body);
  });
}
