import { constants, setPriority } from "node:os";
import { WebSocket } from "ws";
// The stopwatch alone (wall time): a client command does not load the simulator.
import { stopwatch } from "@lambda-sim/core/stopwatch";
import type { HubFrame, HubSubscription, SequencedEvent } from "@lambda-sim/core";
import { ClientError } from "../client/client-error.ts";
import { resolveEndpoint } from "../client/endpoint.ts";
import { simAuthHeaders, unauthorizedHint } from "../client/sim-auth.ts";
import { concerns, describeEvent, paint } from "../console/event-line.ts";
import { LONG_NAMES, ShortNames, type LineNames } from "../console/line-names.ts";
import { TailHistory } from "../console/tail-history.ts";
import { ScaleDownLines } from "../console/scale-down-lines.ts";
import { decodeEvent } from "../dashboard/page/compact-events.js";
import { tailFunction } from "./tail-function.ts";
import { tailSource } from "./tail-source.ts";

export interface TailOptions {
  function?: string;
  source?: string;
  json?: boolean;
  logs?: boolean;
  endpoint?: string;
  token?: string;
  /** false (--no-reconnect): exit when the simulator closes the stream, as tail did before. */
  reconnect?: boolean;
  /** --long: generated names, `:$LATEST` and whole ids, as the start console writes them (line-names.ts). */
  long?: boolean;
}

/** core's EVENTS_PATH, written out: a client command starts without loading the simulator. */
const EVENTS_PATH = "/_sim/events";

/**
 * `lambda-sim tail`: follows `/_sim/events` of a running simulator and prints one line per event
 * (coloured on a terminal), or the events as JSON lines. Starts with what happens after it
 * connected, and the dead-letter moves the snapshot's recent events hold (the page lists them too);
 * after a reconnection, what the simulator did meanwhile (TailHistory). A gap the server reports is
 * printed as such.
 */
export async function tailCommand(opts: TailOptions): Promise<void> {
  // An observer yields the CPU to the simulator it watches: on a small machine, formatting a
  // thousand lines a second at normal priority costs the service a fifth of its rate (bench/subscribers.ts).
  try {
    setPriority(constants.priority.PRIORITY_BELOW_NORMAL);
  } catch {
    // not permitted here: run at normal priority
  }
  const endpoint = resolveEndpoint(opts.endpoint);
  const url = new URL(EVENTS_PATH, endpoint);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  const colour = !opts.json && process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
  names = opts.long ? LONG_NAMES : new ShortNames();
  scaleDowns = new ScaleDownLines((e, from) => {
    const line = describeEvent(e, names)!;
    return `${paint(clockText(e.time), "gray", colour)} ${paint(`${line.text}${from === undefined ? "" : ` (from ${from})`}`, line.colour, colour)}\n`;
  }, write);
  if (opts.function !== undefined) {
    const fn = await tailFunction(endpoint, opts.function, simAuthHeaders(opts.token));
    if (fn.note !== undefined) process.stderr.write(`lambda-sim tail: ${fn.note}\n`);
    opts = { ...opts, function: fn.name };
  }
  if (opts.source !== undefined) {
    const src = await tailSource(endpoint, opts.source, simAuthHeaders(opts.token));
    if (src.note !== undefined) process.stderr.write(`lambda-sim tail: ${src.note}\n`);
    opts = { ...opts, source: src.source };
  }
  let current: WebSocket | undefined;
  const stop = () => {
    current?.close();
    process.stdout.write(pending + scaleDowns.release());
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  // A restarted simulator (a teacher's config change) is followed again, as the dashboard page
  // does (newuser9 P3-4); --no-reconnect keeps the exit a script may rely on.
  let reconnecting = false;
  let attempt = 0;
  for (;;) {
    const { opened } = await follow(url, endpoint, opts, colour, reconnecting, (ws) => (current = ws));
    if (opened) {
      if (opts.reconnect === false) {
        process.stderr.write("lambda-sim tail: the simulator closed the stream\n");
        return;
      }
      process.stderr.write("lambda-sim tail: the simulator closed the stream; reconnecting (Ctrl-C to stop; --no-reconnect exits instead)\n");
      reconnecting = true;
      attempt = 0;
    }
    await stopwatch.pause(Math.min(RECONNECT_MAX_MS, RECONNECT_FIRST_MS * 2 ** attempt++));
  }
}

/** Our choice: the first try again after 250 ms, doubling up to 2 s (a restart takes a second or two). */
const RECONNECT_FIRST_MS = 250;
const RECONNECT_MAX_MS = 2000;

/**
 * One connection to the events stream, printing what it brings until it closes. Resolves with
 * whether it opened. The first connection that cannot be made is an error (no simulator there);
 * while reconnecting, it only resolves unopened, and the caller tries again. A refusal (401) is
 * always an error.
 */
function follow(url: URL, endpoint: string, opts: TailOptions, colour: boolean, reconnecting: boolean, onSocket: (ws: WebSocket) => void): Promise<{ opened: boolean }> {
  const ws = new WebSocket(url, { headers: simAuthHeaders(opts.token) });
  onSocket(ws);
  let refused: string | undefined;
  ws.on("unexpected-response", (_req, res) => {
    refused = res.statusCode === 401 ? unauthorizedHint(endpoint) : `the simulator at ${endpoint} answered ${res.statusCode} to ${EVENTS_PATH}`;
    ws.terminate();
  });
  let opened = false;
  return new Promise<{ opened: boolean }>((resolve, reject) => {
    ws.on("open", () => {
      opened = true;
      ws.send(JSON.stringify({ kind: "subscribe", ...tailSubscription(opts) }));
      process.stderr.write(reconnecting ? `lambda-sim tail: reconnected to ${endpoint}\n` : `lambda-sim tail: following ${endpoint} (Ctrl-C to stop)\n`);
    });
    ws.on("error", (e: NodeJS.ErrnoException) => {
      if (refused !== undefined) reject(new ClientError(refused));
      else if (!opened && !reconnecting) reject(new ClientError(`no simulator answers at ${endpoint} (${e.code ?? e.message}); start one with \`lambda-sim start\`, or pass --endpoint`));
      else if (!opened) resolve({ opened });
    });
    ws.on("close", () => {
      if (refused !== undefined) return reject(new ClientError(refused));
      // A burst of scale-down steps held back for its one line is written before we go.
      const held = scaleDowns.release();
      if (held !== "") process.stdout.write(held);
      resolve({ opened });
    });
    let fields: readonly (readonly string[])[] = [];
    ws.on("message", (data) => {
      const frame = JSON.parse(String(data)) as HubFrame;
      let text = "";
      if (frame.kind === "compact") fields = frame.fields;
      else if (frame.kind === "snapshot") {
        if (names instanceof ShortNames) names.useViews(frame.views);
        // What happened before this connection that tail has not printed (newuser14 F20).
        const missed = history.missed(frame);
        for (const e of missed.events) text += format(e, opts, colour);
        // Said only when it has lines to go with (filters may leave none).
        if (text !== "" && missed.note !== undefined) process.stderr.write(`lambda-sim tail: ${missed.note}\n`);
      } else if (frame.kind === "events") {
        for (const raw of frame.events) {
          const e = decodeEvent(raw, fields);
          history.printed(e.seq);
          if (names instanceof ShortNames) names.note(e);
          text += format(e, opts, colour);
        }
      } else if (frame.kind === "dropped") {
        text = opts.json ? `${JSON.stringify(frame)}\n` : `${paint(`lambda-sim tail: ${frame.count} events not shown (${frame.reason})`, "yellow", colour)}\n`;
      }
      // Frames that arrive together are written together: one system call, not one per frame.
      if (text !== "") write(text);
    });
  });
}

/**
 * Only what tail prints: the server leaves out the rest (issue 15: the fewer events a watcher
 * takes, the less watching costs the simulator). --source stays a filter here: its match is loose.
 */
export function tailSubscription(opts: TailOptions): HubSubscription {
  return {
    // Admissions have no text line (JSON lines have every event); function logs only with --logs.
    excludeTypes: [...(opts.json ? [] : ["invocation.admitted" as const]), ...(opts.logs ? [] : ["function.log" as const])],
    functions: opts.function === undefined ? undefined : [opts.function],
    // Environments' births and retirements; not the busy/frozen flip of every warm invocation
    // (issue 15 lists what tail shows: cold starts, invocations, throttles, retries, DLQ moves, faults).
    states: opts.json ? undefined : ["initializing", "reset", "retiring", "retired"],
    // The payload and result previews only in JSON lines: the text lines do not show them.
    previews: opts.json === true,
    // A text line for cold starts only (describeEvent); JSON lines have every start.
    warmStarts: opts.json === true,
    // Arrays for the high-rate events: fewer bytes to send and to parse (JSON lines print objects).
    compact: opts.json !== true,
  };
}

let pending = "";
/** How lines name things: tail's short names unless --long. */
let names: LineNames = LONG_NAMES;
/** Which events tail printed, across reconnections. */
const history = new TailHistory();

function write(text: string): void {
  if (pending === "") setImmediate(() => {
    process.stdout.write(pending);
    pending = "";
  });
  pending += text;
}

/** A mapping's scale-down steps, a burst as one text line (JSON lines keep every event). */
let scaleDowns = new ScaleDownLines(() => "", write);

function format(e: SequencedEvent, opts: TailOptions, colour: boolean): string {
  if (e.type === "function.log" && !opts.logs) return "";
  // What the subscription leaves out, for the snapshot's events (sent before the subscription applies).
  if (!opts.json && (e.type === "invocation.admitted" || (e.type === "environment.state-changed" && (e.to === "busy" || e.to === "idle")))) return "";
  if (!concerns(e, { functionName: opts.function, source: opts.source })) return "";
  if (opts.json) return `${JSON.stringify(e)}\n`;
  if (scaleDowns.hold(e)) return "";
  const before = scaleDowns.release();
  if (e.type === "function.log") return before + dayLine(e.time, colour) + logLines(names.fn(e.functionName), e.text, clockText(e.time), colour);
  const line = describeEvent(e, names);
  if (line === undefined) return before;
  return `${before}${dayLine(e.time, colour)}${paint(clockText(e.time), "gray", colour)} ${paint(line.text, line.colour, colour)}\n`;
}

let day = Number.NaN;

/**
 * A line with the date when service time enters another day (UTC): the lines give the time of day
 * only, and a virtual clock moved a day ahead would read as going backwards (newuser13 N13-7).
 */
function dayLine(time: number, colour: boolean): string {
  const d = Math.floor(time / 86_400_000);
  if (d === day) return "";
  const first = Number.isNaN(day);
  day = d;
  return first ? "" : `${paint(`-- ${new Date(d * 86_400_000).toISOString().slice(0, 10)} (UTC) --`, "gray", colour)}\n`;
}

/**
 * A function's log record, a line per line, each with its time and `[function]`, so every line
 * of a stack trace says whose it is (and a grep finds it). The Node runtime folds a multi-line
 * message into one record with \r (as on AWS); Python's logging sends it with \n.
 */
function logLines(functionName: string, text: string, time: string, colour: boolean): string {
  const head = `${paint(time, "gray", colour)} `;
  let out = "";
  for (const line of text.replace(/\n$/, "").split(/\r\n|\r|\n/)) out += `${head}${paint(`[${functionName}] ${line}`, "gray", colour)}\n`;
  return out;
}

let second = Number.NaN;
let secondText = "";

/**
 * `HH:MM:SS.mmm` (UTC) of an event's time. The events of a second share their `HH:MM:SS.`, made
 * once: a Date and its ISO string per line were a third of tail's formatting at a thousand lines a second.
 */
function clockText(time: number): string {
  const ms = Math.floor(time);
  const s = Math.floor(ms / 1000);
  if (s !== second) {
    second = s;
    secondText = new Date(s * 1000).toISOString().slice(11, 20);
  }
  return secondText + String(ms - s * 1000).padStart(3, "0");
}
