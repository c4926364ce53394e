import type { ClientRequest, IncomingMessage, ServerResponse } from "node:http";
import { binaryOrder, type Simulator } from "@lambda-sim/core";
import type { TrafficStep } from "./scenario-schema.ts";
import { decodeHttpTarget } from "./http-target.ts";
import { cliVersion } from "../version.ts";

// node:http's CommonJS exports, not an ES import: see core's builtin-imports.test.ts (undici stays unloaded).
const { request } = process.getBuiltinModule("node:http");

type HttpBody = Extract<TrafficStep, { http: unknown }>["http"];

/** One request an `http` step sent: its label in the report, the server's answer to it, the client's. */
interface Sent {
  label: string;
  client: ClientRequest;
  /** The answer the front writes, once the server has the request. */
  server?: ServerResponse;
  /** The status the client read, once the whole answer came (undefined: none yet). */
  answered: Promise<number | undefined>;
}

/**
 * Sends the `http` steps' requests over a socket to the simulator's own port, to the front the
 * server uses for any client (API Gateway's execute-api, Function URLs), and counts the answers.
 *
 * Deterministic under the VirtualClock: each request is sent, then its shot waits until the
 * router has handed it to its front (AwsRouter.watchFronts) before the next one goes, so the
 * requests arrive in index order (the request ids drawn from the seed follow it) and all they set
 * off happens at the step's instant. The answers are not awaited there: a synchronous
 * invocation's answer comes when the function's service time has passed on the same clock.
 * They are read at the end (finish): an answer counts when the front had finished writing it
 * by the scenario's end, whatever the wall time of its bytes.
 *
 * The Host is the front's host form without a port (`{apiId}.execute-api.localhost`,
 * `{urlId}.lambda-url.{region}.localhost`), so the event's domainName and Host header read the same
 * on every run, whichever port the run listens on (our choice: AWS's would be the amazonaws.com name).
 */
export class HttpTraffic {
  private readonly sim: Simulator;
  private readonly sent: Sent[] = [];
  /** Requests the router handed a front, by the client's port, before the client side asked. */
  private readonly early = new Map<number, ServerResponse>();
  private readonly waiting = new Map<number, (res: ServerResponse) => void>();
  private readonly unwatch: () => void;

  /** Requests the server took so far. */
  get sentCount(): number {
    return this.sent.length;
  }

  private readonly region: string;

  constructor(sim: Simulator, region: string) {
    this.sim = sim;
    this.region = region;
    this.unwatch = sim.router.watchFronts((req: IncomingMessage, res: ServerResponse) => {
      const port = req.socket.remotePort;
      if (port === undefined) return;
      const wake = this.waiting.get(port);
      if (wake === undefined) {
        // Not (yet) one of ours: kept until its socket closes, so a later request from a reused port is not taken for it.
        this.early.set(port, res);
        req.socket.once("close", () => {
          if (this.early.get(port) === res) this.early.delete(port);
        });
      } else {
        this.waiting.delete(port);
        wake(res);
      }
    });
  }

  /** Sends items `indexes` of one step, one after another, each once the server has the previous one. */
  async send(h: HttpBody, target: string, label: string, indexes: readonly number[]): Promise<void> {
    for (const i of indexes) {
      await this.one(h, target, label, i);
      // What the request set off in this turn (its invocation admitted) before the next one comes.
      await new Promise((r) => setImmediate(r));
    }
  }

  private one(h: HttpBody, target: string, label: string, i: number): Promise<void> {
    const t = decodeHttpTarget(target);
    let host: string;
    let path = fill(h.path, i);
    if (t.kind === "api") {
      host = `${t.apiId}.execute-api.localhost`;
      if (t.stage !== "$default") path = `/${t.stage}${path}`;
    } else {
      const url = this.sim.functionUrls.list(t.functionName).find((u) => u.qualifier === t.qualifier);
      if (url === undefined) return Promise.reject(new Error(`${t.functionName}${t.qualifier === undefined ? "" : `:${t.qualifier}`} has no Function URL`));
      host = `${url.urlId}.lambda-url.${this.region}.localhost`;
    }
    const body = h.body === undefined ? undefined : Buffer.from(typeof h.body === "string" ? fill(h.body, i) : fillJson(h.body, i));
    const headers: Record<string, string> = { host };
    for (const [name, v] of Object.entries(h.headers)) headers[name.toLowerCase()] = fill(String(v), i);
    // As any HTTP client sends one: the event's requestContext (identity.userAgent, http.userAgent) shows it, unless the step sets its own.
    headers["user-agent"] ??= `lambda-sim/${cliVersion()} (scenario)`;
    if (body !== undefined && typeof h.body !== "string" && headers["content-type"] === undefined) headers["content-type"] = "application/json";
    if (body !== undefined) headers["content-length"] = String(body.length);
    return new Promise<void>((resolve, reject) => {
      const client = request({ host: "127.0.0.1", port: this.sim.port, method: h.method, path, headers, agent: false, setHost: false });
      const entry: Sent = { label, client, answered: undefined as unknown as Promise<number | undefined> };
      entry.answered = new Promise<number | undefined>((done) => {
        client.on("response", (res) => {
          res.resume();
          res.on("end", () => done(res.statusCode));
          res.on("error", () => done(undefined));
        });
        client.on("error", (e) => {
          done(undefined);
          reject(e);
        });
      });
      client.on("socket", (socket) => {
        const arrived = (res: ServerResponse) => {
          entry.server = res;
          this.sent.push(entry);
          resolve();
        };
        const onConnect = () => {
          const port = socket.localPort!;
          const res = this.early.get(port);
          if (res !== undefined) {
            this.early.delete(port);
            arrived(res);
          } else this.waiting.set(port, arrived);
        };
        if (socket.localPort !== undefined && !socket.connecting) onConnect();
        else socket.once("connect", onConnect);
      });
      client.end(body);
    });
  }

  /**
   * The answers, by step label then status, of the requests whose answer the front had finished
   * writing by now (the scenario's end); the others are counted as unanswered and dropped.
   */
  async finish(): Promise<HttpAnswers> {
    this.unwatch();
    const out: HttpAnswers = new Map();
    const row = (label: string) => {
      let r = out.get(label);
      if (r === undefined) out.set(label, (r = { statuses: new Map(), unanswered: 0 }));
      return r;
    };
    for (const s of this.sent) {
      const r = row(s.label);
      if (s.server?.writableEnded !== true) {
        r.unanswered++;
        s.client.destroy();
        continue;
      }
      const status = await s.answered;
      if (status === undefined) r.unanswered++;
      else r.statuses.set(status, (r.statuses.get(status) ?? 0) + 1);
    }
    return out;
  }
}

/** Per `http` step label: answers by status, and requests with no whole answer by the scenario's end. */
export type HttpAnswers = Map<string, { statuses: Map<number, number>; unanswered: number }>;

/** All steps' answers of one status (`200`) or class (`5xx`). */
export function answersOf(answers: HttpAnswers | undefined, code: string): number {
  let n = 0;
  for (const r of answers?.values() ?? []) for (const [status, k] of r.statuses) if (String(status) === code || (code.endsWith("xx") && String(status)[0] === code[0])) n += k;
  return n;
}

/** `3 × 200, 1 × 500` (statuses in order), and the unanswered. */
export function answersText(r: { statuses: Map<number, number>; unanswered: number }): string {
  const parts = [...r.statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${n} × ${status}`);
  if (r.unanswered > 0) parts.push(`${r.unanswered} not answered by the end`);
  return parts.join(", ") || "none";
}

/** Labels sorted as the report prints them. */
export function labelsOf(answers: HttpAnswers): string[] {
  return [...answers.keys()].sort(binaryOrder);
}

function fill(text: string, i: number): string {
  return text.replaceAll("{i}", String(i));
}

function fillJson(body: Record<string, unknown>, i: number): string {
  return JSON.stringify(body).replaceAll('"{i}"', String(i)).replaceAll("{i}", String(i));
}
