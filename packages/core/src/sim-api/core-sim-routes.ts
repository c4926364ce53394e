import express from "express";
import type { Clock } from "../clock/clock.ts";
import type { Invoker } from "../invocation/invoker.ts";
import type { FunctionRegistry } from "../registry/function-registry.ts";
import type { EventHub } from "../telemetry/event-hub.ts";

/** `GET /_sim/health` and `GET /_sim/state`: is it up, and what it holds right now. */
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
      // The sources' views (queues with their dead-letter counts, streams, schedules).
      ...deps.hub.stateViewValues(),
    });
  });
  return router;
}
