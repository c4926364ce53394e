import express from "express";
import type { ActiveFault, FaultInjector } from "../faults/fault-injector.ts";
import { jsonSyntaxError, simBadRequest, simJson } from "./sim-json.ts";

/**
 * `/_sim/faults` (issue 14): POST adds a fault (or a list of them), GET lists them with their
 * counters, DELETE clears them all (or `/_sim/faults/:id` one).
 */
export function faultRoutes(faults: FaultInjector): express.Router {
  const r = express.Router();
  r.use("/_sim/faults", express.json({ strict: false, type: () => true }));
  r.get("/_sim/faults", (_req, res) => {
    res.json({ faults: faults.list().map(view) });
  });
  r.post("/_sim/faults", (req, res, next) => {
    // A list adds several at once, all or none.
    if (Array.isArray(req.body)) {
      const added: ActiveFault[] = [];
      try {
        req.body.forEach((f: unknown, i: number) => added.push(faults.add(f, `faults[${i}]`)));
      } catch (e) {
        for (const f of added) faults.clear(f.id);
        res.status(400).json({ code: "BadRequest", message: (e as Error).message });
        return;
      }
      res.json({ faults: added.map(view) });
      return;
    }
    next();
  }, simJson((body) => {
    return view(faults.add(body));
  }));
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

function view(f: ActiveFault): Record<string, unknown> {
  return { id: f.id, ...f.spec, activeFrom: new Date(f.activeFrom).toISOString(), activeUntil: f.activeUntil === undefined ? null : new Date(f.activeUntil).toISOString(), matched: f.matched, fired: f.fired };
}
