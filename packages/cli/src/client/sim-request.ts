// The stopwatch alone (wall time): a client command does not load the simulator.
import { stopwatch } from "@lambda-sim/core/stopwatch";
import type { TimerHandle } from "@lambda-sim/core";
import { ClientError } from "./client-error.ts";

export interface SimResponse {
  status: number;
  json: Record<string, unknown>;
}

export interface SimRequestOptions {
  headers?: Record<string, string>;
  body?: unknown;
  /** Give up when no answer has come after this long (ms); undefined: wait as long as it takes. */
  timeoutMs?: number;
  /** Called once when no answer has come after `slowMs` (ms), while the request goes on waiting. */
  onSlow?: () => void;
  slowMs?: number;
  /** Added to the busy message: what giving up did (a move stops where it got to). */
  onGiveUp?: string;
}

/** Connection errors that mean nothing listens there (as opposed to a listener that is busy). */
const NOT_RUNNING = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL"]);

/**
 * One JSON call to a simulator's /_sim API, telling apart the two ways it can fail to answer: no
 * simulator (the connection is refused: "no simulator running") and a simulator that accepted the
 * connection but has not answered in `timeoutMs` (busy: a long clock advance, which also holds
 * every later clock call behind it). node:http rather than fetch: fetch gives up on its own after
 * 300 s without headers, which an advance of a few virtual weeks takes, and reported it as a
 * failed connection (F3).
 */
export function simRequest(url: URL, method: string, opts: SimRequestOptions = {}): Promise<SimResponse> {
  const endpoint = url.origin;
  const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    // Taken when a call is made, with getBuiltinModule: `start` registers this command too, and an
    // ES import of node:http builds its namespace, which loads undici (builtin-imports.test.ts);
    // node:https loads TLS. Either costs the idle server megabytes for a call it never makes.
    const transport = url.protocol === "https:" ? process.getBuiltinModule("node:https") : process.getBuiltinModule("node:http");
    const req = transport.request(url, {
      method,
      headers: { "content-type": "application/json", ...(body === undefined ? {} : { "content-length": Buffer.byteLength(body) }), ...opts.headers },
    });
    // A client's waits are wall time (stopwatch), never the simulator's Clock.
    let slow: TimerHandle | undefined;
    let deadline: TimerHandle | undefined;
    const done = () => {
      slow?.cancel();
      deadline?.cancel();
    };
    if (opts.onSlow !== undefined) slow = stopwatch.after(opts.slowMs ?? 10_000, opts.onSlow);
    if (opts.timeoutMs !== undefined) {
      deadline = stopwatch.after(opts.timeoutMs, () => {
        req.destroy();
        done();
        reject(busy(endpoint, opts.timeoutMs!, opts.onGiveUp));
      });
    }
    req.on("error", (e: NodeJS.ErrnoException) => {
      done();
      if (e.code !== undefined && NOT_RUNNING.has(e.code)) reject(notRunning(endpoint));
      else reject(new ClientError(`the simulator at ${endpoint} closed the connection without answering (${e.code ?? e.message})`));
    });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        done();
        const text = Buffer.concat(chunks).toString("utf8");
        try {
          resolve({ status: res.statusCode ?? 0, json: text === "" ? {} : (JSON.parse(text) as Record<string, unknown>) });
        } catch {
          reject(new ClientError(`${endpoint} answered ${res.statusCode} with something other than JSON: is it a lambda-sim simulator?`));
        }
      });
      res.on("error", (e) => {
        done();
        reject(new ClientError(`the simulator at ${endpoint} broke off its answer (${e.message})`));
      });
    });
    req.end(body);
  });
}

export function notRunning(endpoint: string): ClientError {
  return new ClientError(`no simulator running at ${endpoint} (start one with \`lambda-sim start --clock virtual\`, or pass --endpoint)`);
}

function busy(endpoint: string, ms: number, gaveUp?: string): ClientError {
  return new ClientError(
    `the simulator at ${endpoint} is running but did not answer within ${ms / 1000}s: it is busy ` +
      `(a long \`clock advance\` fires every timer on the way, and later clock calls wait for it)` +
      `${gaveUp === undefined ? "" : `; ${gaveUp}`}. Try again later, or raise --timeout`,
  );
}
