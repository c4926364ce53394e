import type { IncomingMessage, ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import { readBody, reply } from "./runtime-api-server.ts";

/** What an extension asked to receive (aws-facts §2.2). */
export type ExtensionEventType = "INVOKE" | "SHUTDOWN";

export interface RegisteredExtension {
  id: string;
  name: string;
  events: ExtensionEventType[];
  /** Its `GET /event/next`, held until there is an event. */
  waiting: ServerResponse | undefined;
  queued: Record<string, unknown>[];
  /** Called /event/next at least once: its init is done. */
  initDone: boolean;
}

export interface ExtensionsApiListener {
  /** An extension registered, or called /event/next (it may now be idle). */
  onChange(): void;
  /** `POST /init/error` or `/exit/error`: the extension's own error type. */
  onError(extension: RegisteredExtension, phase: "init" | "exit", errorType: string): void;
}

/** At most 10 extensions per function (aws-facts §2.2). */
export const MAX_EXTENSIONS = 10;
const PREFIX = "/2020-01-01/extension/";

/**
 * The Lambda Extensions API (2020-01-01) for ONE execution environment, served on its Runtime API
 * port: external extensions register with `Lambda-Extension-Name` and the events they want, then
 * long-poll `/event/next` for INVOKE and SHUTDOWN events, as RAPID serves them (aws-facts §2.2).
 */
export class ExtensionsApi {
  readonly registered = new Map<string, RegisteredExtension>();
  private readonly listener: ExtensionsApiListener;
  private readonly info: () => Record<string, string>;
  private readonly accountId: string;

  /**
   * `info` is the register response body: functionName, functionVersion, handler. `accountId` is
   * added to it for an extension that asks for it (`Lambda-Extension-Accept-Feature`).
   */
  constructor(listener: ExtensionsApiListener, info: () => Record<string, string>, accountId: string) {
    this.listener = listener;
    this.info = info;
    this.accountId = accountId;
  }

  /** True when every registered extension is blocked on /event/next with nothing queued. */
  get idle(): boolean {
    for (const e of this.registered.values()) if (e.waiting === undefined || e.queued.length > 0) return false;
    return true;
  }

  byName(name: string): RegisteredExtension | undefined {
    for (const e of this.registered.values()) if (e.name === name) return e;
    return undefined;
  }

  /** Sends the event to every extension registered for its type. */
  send(type: ExtensionEventType, event: Record<string, unknown>): void {
    for (const e of this.registered.values()) {
      if (!e.events.includes(type)) continue;
      e.queued.push(event);
      this.deliver(e);
    }
  }

  /** Forgets every registration: the environment was reset and its extensions start again. */
  reset(): void {
    for (const e of this.registered.values()) e.waiting?.destroy();
    this.registered.clear();
  }

  /** Serves the request if it is an Extensions API one. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = req.url ?? "";
    if (!url.startsWith(PREFIX)) return false;
    const path = url.slice(PREFIX.length);
    if (req.method === "POST" && path === "register") return this.register(req, res), true;
    const extension = this.identify(req, res);
    if (extension === undefined) return true;
    if (req.method === "GET" && path === "event/next") return this.next(extension, res), true;
    if (req.method === "POST" && (path === "init/error" || path === "exit/error")) {
      const errorType = header(req, "lambda-extension-function-error-type");
      if (errorType === undefined) {
        req.resume();
        // RAPID's answer (rapi/handler/agentexiterror.go, agentiniterror.go).
        return reply(res, 403, { errorMessage: "Lambda-Extension-Function-Error-Type not found", errorType: "Extension.MissingHeader" }), true;
      }
      readBody(req, 1024 * 1024, () => {
        reply(res, 202, { status: "OK" });
        this.listener.onError(extension, path === "init/error" ? "init" : "exit", errorType);
      });
      return true;
    }
    req.resume();
    reply(res, 404, { errorMessage: "Not Found", errorType: "NotFound" });
    return true;
  }

  /**
   * Refusals are RAPID's (aws-lambda-runtime-interface-emulator rapi/handler/agentregister.go): all
   * 403; a second registration under a name is a state transition RAPID does not allow.
   */
  private register(req: IncomingMessage, res: ServerResponse): void {
    const name = header(req, "lambda-extension-name");
    readBody(req, 1024 * 1024, (body) => {
      if (name === undefined || name === "") return reply(res, 403, { errorMessage: "Empty extension name", errorType: "Extension.InvalidExtensionName" });
      let events: unknown;
      try {
        events = JSON.parse((body ?? Buffer.alloc(0)).toString("utf8")).events ?? [];
      } catch {
        return reply(res, 403, { errorMessage: "Invalid request format", errorType: "InvalidRequestFormat" });
      }
      if (!Array.isArray(events) || events.some((e) => e !== "INVOKE" && e !== "SHUTDOWN")) {
        return reply(res, 403, { errorMessage: `Invalid event type in registration: ${JSON.stringify(events)}`, errorType: "Extension.InvalidEventType" });
      }
      if (this.byName(name) !== undefined) {
        return reply(res, 403, { errorMessage: `State transition from Registered to Registered failed for extension ${name}. Error: State transition is not allowed`, errorType: "Extension.InvalidExtensionState" });
      }
      if (this.registered.size >= MAX_EXTENSIONS) return reply(res, 403, { errorMessage: `Extension limit (${MAX_EXTENSIONS}) reached`, errorType: "Extension.TooManyExtensions" });
      const id = randomUUID();
      this.registered.set(id, { id, name, events: events as ExtensionEventType[], waiting: undefined, queued: [], initDone: false });
      // `Lambda-Extension-Accept-Feature` is a comma-separated list; with `accountId` the answer
      // names the function's account (aws-facts §2.2; RAPID's agentregister.go). The
      // OpenTelemetry collector extension asks for it to set `cloud.account.id`.
      const features = (header(req, "lambda-extension-accept-feature") ?? "").split(",").map((f) => f.trim());
      const text = JSON.stringify(features.includes("accountId") ? { ...this.info(), accountId: this.accountId } : this.info());
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text), "Lambda-Extension-Identifier": id });
      res.end(text);
      this.listener.onChange();
    });
  }

  private identify(req: IncomingMessage, res: ServerResponse): RegisteredExtension | undefined {
    const id = header(req, "lambda-extension-identifier");
    if (id === undefined) {
      req.resume();
      reply(res, 403, { errorMessage: "Missing Lambda-Extension-Identifier header", errorType: "Extension.MissingExtensionIdentifier" });
      return undefined;
    }
    const extension = this.registered.get(id);
    if (extension === undefined) {
      req.resume();
      reply(res, 403, { errorMessage: "Invalid Lambda-Extension-Identifier", errorType: "Extension.InvalidExtensionIdentifier" });
    }
    return extension;
  }

  private next(extension: RegisteredExtension, res: ServerResponse): void {
    extension.initDone = true;
    extension.waiting = res;
    res.on("close", () => {
      if (extension.waiting === res) extension.waiting = undefined;
    });
    if (extension.queued.length > 0) this.deliver(extension);
    else this.listener.onChange();
  }

  private deliver(extension: RegisteredExtension): void {
    const res = extension.waiting;
    const event = extension.queued[0];
    if (res === undefined || event === undefined) return;
    extension.queued.shift();
    extension.waiting = undefined;
    const text = JSON.stringify(event);
    res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text), "Lambda-Extension-Event-Identifier": randomUUID() });
    res.end(text);
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
