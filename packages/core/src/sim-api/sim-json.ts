import type express from "express";
import { isSimError } from "../errors/sim-error.ts";

/**
 * Every error of the /_sim API has one shape, `{"code": ..., "message": ...}`, its code named by
 * its status (a script checking `.code` read half of them as having none: newuser14 F9).
 */
export function simErrorBody(status: number, message: string): { code: string; message: string } {
  return { code: SIM_ERROR_CODES[status] ?? (status >= 500 ? "InternalError" : "BadRequest"), message };
}

const SIM_ERROR_CODES: Record<number, string> = { 400: "BadRequest", 401: "Unauthorized", 404: "NotFound", 409: "Conflict", 413: "PayloadTooLarge", 505: "HttpVersionNotSupported" };

/** A 4xx of the /_sim API: `{"code": ..., "message": ...}`. */
export class SimBadRequest extends Error {
  readonly status: number;
  constructor(message: string, status = 400) {
    super(message);
    this.status = status;
  }
}

export function simBadRequest(message: string, status = 400): SimBadRequest {
  return new SimBadRequest(message, status);
}

/** Why a /_sim action's signal aborted: its HTTP client closed the connection before the answer. */
export class ClientGone extends Error {
  constructor() {
    super("the client closed the connection before the answer");
    this.name = "ClientGone";
  }
}

/**
 * An express handler for a JSON action of the /_sim API: the body is an object (or empty), the
 * result is sent as JSON; bad input (SimBadRequest, a config SimError) answers 400 with its
 * message, never a 500.
 */
export function simJson(fn: (body: Record<string, any>, params: Record<string, string>, gone: AbortSignal) => unknown): express.RequestHandler {
  return (req, res) => {
    // Aborts when the connection closes before the answer is sent (the caller gave up or died):
    // a long action (a clock advance) stops instead of running on for nobody.
    const left = new AbortController();
    res.once("close", () => {
      if (!res.writableEnded) left.abort(new ClientGone());
    });
    const body: unknown = req.body ?? {};
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      res.status(400).json({ code: "BadRequest", message: "expected a JSON object body" });
      return;
    }
    Promise.resolve()
      .then(() => fn(body as Record<string, any>, req.params as Record<string, string>, left.signal))
      .then(
        (out) => {
          if (!left.signal.aborted) res.json(out ?? {});
        },
        (e: unknown) => {
          if (left.signal.aborted) return;
          if (e instanceof SimBadRequest) res.status(e.status).json(simErrorBody(e.status, e.message));
          else if (isSimError(e) && e.isUserError) res.status(400).json({ code: "BadRequest", message: e.message });
          else res.status(500).json({ code: "InternalError", message: String(e) });
        },
      );
  };
}

/** express.json's parse failures as the /_sim API's 400, not express's HTML page. */
export const jsonSyntaxError: express.ErrorRequestHandler = (err: { status?: number; message?: string }, _req, res, _next) => {
  res.status(err.status !== undefined && err.status < 500 ? err.status : 400).json({ code: "BadRequest", message: `the body is not valid JSON: ${err.message ?? err}` });
};
