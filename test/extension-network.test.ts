import { createServer as createTcpServer, type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { startTestSimulator, type TestSimulator } from "@lambda-sim/core/testing";
import { createExtensionFunction } from "./support/extension-function.ts";
import { HAS_PYTHON, pythonTitle } from "./support/python.ts";
import { until } from "./support/until.ts";
import { startReportCollector, type ReportCollector } from "./support/report-collector.ts";

/**
 * An external extension as AWS's Telemetry API samples write it, in Python: an HTTP listener on
 * a fixed port (LISTEN_HOST:LISTEN_PORT, by default `sandbox.localdomain:4243`) named as its
 * Telemetry API destination. It reports, tagged with the address it is bound to, each INVOKE and
 * each batch of telemetry it receives.
 */
const LISTENING_EXTENSION = `#!/usr/bin/env python3
import json, os, socketserver, threading, urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer

API = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"]
HOST = os.environ.get("LISTEN_HOST", "sandbox.localdomain")
PORT = int(os.environ.get("LISTEN_PORT", "4243"))

def report(what, body):
    req = urllib.request.Request(os.environ["REPORT_URL"] + "/" + what, data=json.dumps(body).encode(), method="POST")
    urllib.request.urlopen(req).read()

class Listener(BaseHTTPRequestHandler):
    def do_POST(self):
        batch = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(200)
        self.end_headers()
        report("telemetry", {"me": ME, "records": batch})
    def log_message(self, *args):
        pass

class Server(HTTPServer):
    # HTTPServer's own server_bind looks its address up (getfqdn); the samples' listeners need not.
    def server_bind(self):
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "sandbox", self.server_address[1]

server = Server((HOST, PORT), Listener)
ME = server.server_address[0]
threading.Thread(target=server.serve_forever, daemon=True).start()

register = urllib.request.Request(API + "/2020-01-01/extension/register", data=b'{"events":["INVOKE"]}', method="POST", headers={"Lambda-Extension-Name": os.path.basename(__file__)})
with urllib.request.urlopen(register) as res:
    ID = res.headers["Lambda-Extension-Identifier"]
subscription = {"schemaVersion": "2022-12-13", "destination": {"protocol": "HTTP", "URI": "http://sandbox.localdomain:%d" % PORT}, "types": ["platform"], "buffering": {"timeoutMs": 25}}
urllib.request.urlopen(urllib.request.Request(API + "/2022-07-01/telemetry", data=json.dumps(subscription).encode(), method="PUT", headers={"Lambda-Extension-Identifier": ID})).read()
while True:
    with urllib.request.urlopen(urllib.request.Request(API + "/2020-01-01/extension/event/next", headers={"Lambda-Extension-Identifier": ID})) as res:
        event = json.loads(res.read())
    report("invoke", {"me": ME, "requestId": event["requestId"]})
`;

/** Long enough that three events at once need three environments. */
const HANDLER = "exports.handler = async () => { await new Promise((r) => setTimeout(r, 800)); return { ok: true }; };";

let t: TestSimulator;
let lambda: LambdaClient;
let reports: ReportCollector;
const warnings: string[] = [];

async function fn(name: string, variables: Record<string, string> = {}): Promise<void> {
  await createExtensionFunction(lambda, name, { extensions: { "telemetry-agent": LISTENING_EXTENSION }, handler: HANDLER, timeout: 10, variables: { REPORT_URL: reports.url, ...variables } });
}

/** Three events at once, as a burst does. */
async function threeAtOnce(name: string) {
  return Promise.all(
    [1, 2, 3].map(async () => {
      const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from("{}") }));
      return { requestId: out.$metadata.requestId!, error: out.FunctionError, body: JSON.parse(Buffer.from(out.Payload ?? new Uint8Array()).toString("utf8")) };
    }),
  );
}

/** A port nothing on this machine listens on now. */
async function freePort(): Promise<number> {
  const probe = createTcpServer();
  await new Promise<void>((r) => probe.listen(0, "0.0.0.0", () => r()));
  const { port } = probe.address() as AddressInfo;
  await new Promise((r) => probe.close(r));
  return port;
}

const got = (what: string) => reports.got(what);

describe.skipIf(!HAS_PYTHON)(pythonTitle("Extensions listening on a fixed port, one per execution environment"), () => {
  beforeAll(async () => {
    reports = await startReportCollector();
    t = await startTestSimulator();
    t.sim.telemetry.subscribe((e) => {
      if (e.type === "simulator.warning") warnings.push(e.message);
    });
    lambda = new LambdaClient({ ...t.clientConfig, maxAttempts: 1 });
  });

  afterAll(async () => {
    lambda?.destroy();
    await t?.close();
    reports?.close();
  });

  it("gives each environment its own sandbox.localdomain: three concurrent environments all bind 4243, and each gets its own telemetry", async () => {
    await fn("per-environment");
    const results = await threeAtOnce("per-environment");
    expect(results.map((r) => [r.error, r.body])).toEqual([1, 2, 3].map(() => [undefined, { ok: true }]));

    // Each environment's extension heard its own INVOKE, on an address of its own.
    const ids = results.map((r) => r.requestId);
    await until(() => got("invoke").length >= 3);
    const invokedAt = new Map(got("invoke").map((e) => [e.requestId as string, e.me as string]));
    expect(new Set(ids.map((id) => invokedAt.get(id))).size).toBe(3);
    // The Telemetry API delivered each invocation's platform.start to the listener of the
    // environment that ran it, and to no other.
    const startedAt = () => {
      const seen = new Map<string, string[]>();
      for (const batch of got("telemetry")) {
        for (const r of batch.records) if (r.type === "platform.start") seen.set(r.record.requestId, [...(seen.get(r.record.requestId) ?? []), batch.me]);
      }
      return seen;
    };
    await until(() => ids.every((id) => startedAt().has(id)));
    for (const id of ids) expect(startedAt().get(id)).toEqual([invokedAt.get(id)]);
    expect(warnings.filter((w) => w.includes("per-environment"))).toEqual([]);
  });

  it("warns once, saying what to do, when environments' listeners on 0.0.0.0 collide", async () => {
    await fn("wildcard", { LISTEN_HOST: "0.0.0.0", LISTEN_PORT: String(await freePort()) });
    const results = await threeAtOnce("wildcard");
    const crashed = results.filter((r) => r.error !== undefined);
    expect(crashed.length).toBeGreaterThanOrEqual(1);
    for (const r of crashed) expect(r.body).toMatchObject({ errorType: "Extension.Crash" });
    await until(() => warnings.some((w) => w.startsWith("wildcard:")));
    const mine = warnings.filter((w) => w.startsWith("wildcard:"));
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatch(/port was already in use.*bind sandbox\.localdomain, or set reserved concurrency 1/);
  });
});
