import express from "express";
import { isAwsError } from "../errors/aws-error.ts";
import { isSimError } from "../errors/sim-error.ts";
import { faultView, type ActiveFault, type FaultInjector } from "../faults/fault-injector.ts";
import { jsonSyntaxError, simBadRequest, simJson } from "./sim-json.ts";

/**
 * `/_sim/faults` (issue 14): POST adds a fault (or a list of them), GET lists them with their
 * counters, DELETE clears them all (or `/_sim/faults/:id` one). A fault naming a function, queue,
 * stream, topic or bus the simulator does not have is refused (FaultNames): 404
 * ResourceNotFoundException, as Lambda answers for a function it does not have.
 */
export function faultRoutes(faults: FaultInjector): express.Router {
  const r = express.Router();
  r.use("/_sim/faults", express.json({ strict: false, type: () => true }));
  r.get("/_sim/faults", (_req, res) => {
    res.json({ faults: faults.list().map(faultView) });
  });
  r.post("/_sim/faults", (req, res) => {
    const body: unknown = req.body ?? {};
    // A list adds several at once, all or none.
    const list = Array.isArray(body);
    if (!list && (typeof body !== "object" || body === null)) {
      res.status(400).json({ code: "BadRequest", message: "expected a JSON object body, or a list of them" });
      return;
    }
    const added: ActiveFault[] = [];
    try {
      (list ? body : [body]).forEach((f: unknown, i: number) => added.push(faults.add(f, list ? `faults[${i}]` : "fault", { checkQualifier: true })));
    } catch (e) {
      for (const f of added) faults.clear(f.id);
      refuse(res, e);
      return;
    }
    res.json(list ? { faults: added.map(faultView) } : faultView(added[0]!));
  });
  r.delete("/_sim/faults", (_req, res) => {
    const cleared = faults.list().length;
    faults.clear();
    res.json({ cleared });
  });
  r.delete("/_sim/faults/:id", simJson((_body, params) => {
    if (!faults.clear(params.id)) throw simBadRequest(`no fault ${params.id}`, 404);
    return { cleared: 1 };
  }));
  r.use(jsonSyntaxError);
  return r;
}

/** A name not found: the AWS error's status and code (and header, as Lambda's REST-JSON errors carry it); a bad spec a 400. */
function refuse(res: express.Response, e: unknown): void {
  if (isAwsError(e)) res.status(e.statusCode).set("x-amzn-errortype", e.code).json({ code: e.code, message: e.message });
  else if (isSimError(e) && e.isUserError) res.status(400).json({ code: "BadRequest", message: e.message });
  else res.status(500).json({ code: "InternalError", message: String(e) });
}
