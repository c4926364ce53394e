import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import express from "express";
import { startTestSimulator, type TestSimulator } from "../testing/test-simulator.ts";

// The /_sim seam: what a module (clock, dashboard, index...) does to serve there.
let t: TestSimulator;
beforeAll(async () => {
  t = await startTestSimulator();
});
afterAll(() => t.close());

/** The status line a raw HTTP/1.1 upgrade request gets. */
function upgrade(path: string): Promise<string> {
  const url = new URL(t.endpoint);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, headers: { connection: "Upgrade", upgrade: "websocket" } });
    req.on("upgrade", (res, socket) => {
      socket.destroy();
      resolve(`${res.statusCode}`);
    });
    req.on("response", (res) => {
      res.resume();
      resolve(`${res.statusCode}`);
    });
    req.on("error", reject);
    req.end();
  });
}

describe("/_sim", () => {
  it("answers health and state", async () => {
    expect(await (await fetch(`${t.endpoint}/_sim/health`)).json()).toEqual({ status: "ok" });
    const state = await (await fetch(`${t.endpoint}/_sim/state`)).json();
    expect(state).toMatchObject({ functions: [], asyncEvents: 0 });
  });

  it("serves a module's express Router mounted with simApi.use, bodies parsed by the router", async () => {
    const router = express.Router();
    router.use(express.json());
    router.post("/_sim/echo", (req, res) => void res.json({ got: req.body }));
    router.get("/_sim", (_req, res) => void res.json({ index: true }));
    t.sim.simApi.use(() => router);
    const echoed = await fetch(`${t.endpoint}/_sim/echo`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"a":1}' });
    expect(await echoed.json()).toEqual({ got: { a: 1 } });
    expect(await (await fetch(`${t.endpoint}/_sim`)).json()).toEqual({ index: true });
  });

  it("addRoute answers JSON, and 404 with the message when the handler throws", async () => {
    t.sim.simApi.addRoute("/_sim/things/:name", ({ name }) => {
      if (name !== "known") throw new Error(`no thing ${name}`);
      return { name };
    });
    expect(await (await fetch(`${t.endpoint}/_sim/things/known`)).json()).toEqual({ name: "known" });
    const missing = await fetch(`${t.endpoint}/_sim/things/other`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ code: "NotFound", message: "no thing other" });
  });

  it("hands an upgrade on a registered path to its handler and refuses the others", async () => {
    t.sim.simApi.onUpgrade("/_sim/live", (_req, socket) => {
      socket.end("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
    });
    expect(await upgrade("/_sim/live?x=1")).toBe("101");
    expect(await upgrade("/_sim/nothing-here")).toBe("404");
  });

  it("leaves AWS paths to the AWS router", async () => {
    const res = await fetch(`${t.endpoint}/_simulated/2015-03-31/functions`);
    expect(res.headers.get("x-amzn-requestid")).not.toBeNull();
  });
});

describe("/_sim index and unknown paths", () => {
  let fresh: TestSimulator;
  beforeAll(async () => {
    fresh = await startTestSimulator();
  });
  afterAll(() => fresh.close());

  it("GET /_sim answers a JSON index of its routes, those of modules included", async () => {
    fresh.sim.simApi.addRoute("/_sim/widgets/:name", () => ({}));
    const res = await fetch(`${fresh.endpoint}/_sim?x=1`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const { routes } = (await res.json()) as { routes: { method: string; path: string }[] };
    expect(routes).toEqual(expect.arrayContaining([
      { method: "GET", path: "/_sim/health" },
      { method: "GET", path: "/_sim/state" },
      { method: "GET", path: "/_sim/widgets/:name" },
    ]));
  });

  it("an unknown /_sim/... path answers a JSON 404, not an HTML page", async () => {
    const res = await fetch(`${fresh.endpoint}/_sim/nope`, { method: "DELETE" });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ code: "NotFound", message: "lambda-sim has no DELETE /_sim/nope: GET /_sim lists the routes of its own API" });
  });
});
