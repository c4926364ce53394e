import { simErrorBody } from "./sim-json.ts";
import express from "express";
import type { Clock } from "../clock/clock.ts";
import type { Invoker } from "../invocation/invoker.ts";
import type { FunctionRegistry } from "../registry/function-registry.ts";
import type { EventHub } from "../telemetry/event-hub.ts";

/** `GET /_sim/health`, `GET /_sim/state` and `GET /_sim/invocations/{id}`: is it up, what it holds right now, one invocation's details. */
export function coreSimRoutes(deps: { clock: Clock; registry: FunctionRegistry; invoker: Invoker; hub: EventHub }): express.Router {
  const router = express.Router();
  router.get("/_sim/health", (_req, res) => {
    res.json({ status: "ok" });
  });
  router.get("/_sim/state", (_req, res) => {
    res.json({
      time: new Date(deps.clock.now()).toISOString(),
      functions: deps.registry.listFunctionNames(),
      environments: deps.invoker.environmentCounts(),
      asyncEvents: deps.invoker.asyncQueue.stored(),
      // Each event source mapping with what it did with the records it read (throttled ones included).
      mappings: deps.hub.view("mappings"),
      // The sources' views (queues with their dead-letter counts, streams, schedules).
      ...deps.hub.stateViewValues(),
    });
  });
  // An invocation's payload, result and log lines, for clients of /_sim/events that leave them out;
  // `?attempt=N`: one attempt's of an Event invocation, whose retries keep its request id (aws-facts §5).
  router.get("/_sim/invocations/:requestId", (req, res) => {
    const raw = req.query.attempt;
    const attempt = raw === undefined ? undefined : typeof raw === "string" && /^[1-9]\d{0,5}$/.test(raw) ? Number(raw) : NaN;
    if (Number.isNaN(attempt)) {
      res.status(400).json(simErrorBody(400, `attempt must be a positive whole number, got ${JSON.stringify(raw)}`));
      return;
    }
    const d = deps.hub.invocations.get(req.params.requestId, attempt);
    if (d !== undefined) res.json(d);
    else if (attempt !== undefined && deps.hub.invocations.get(req.params.requestId) !== undefined) res.status(404).json(simErrorBody(404, `no attempt ${attempt} of ${req.params.requestId} kept (attempts kept: ${deps.hub.invocations.get(req.params.requestId)?.attempts?.join(", ") ?? "none"})`));
    else res.status(404).json(simErrorBody(404, `no recent invocation ${req.params.requestId} (the last 500 are kept)`));
  });
  return router;
}
