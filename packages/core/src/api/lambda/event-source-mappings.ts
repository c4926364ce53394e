import type { MappingInput } from "../../config/mapping-input.ts";
import type { EventSourceMappings } from "../../mappings/event-source-mappings.ts";
import { jsonBody, type RestRoute } from "../../protocols/rest-json.ts";
import { LIST_LIMITS, page } from "./pagination.ts";

const P = "/2015-03-31/event-source-mappings";

/** Create/Get/List/Update/DeleteEventSourceMapping (REST-JSON; Create/Update/Delete answer 202). */
export function eventSourceMappingRoutes(mappings: EventSourceMappings): RestRoute[] {
  return [
    ...[P, `${P}/`].flatMap((path): RestRoute[] => [
      { method: "POST", path, operation: "CreateEventSourceMapping", handler: (req) => ({ status: 202, body: mappings.create(jsonBody<MappingInput>(req)) }) },
      {
        method: "GET",
        path,
        operation: "ListEventSourceMappings",
        handler: (req) => {
          const all = mappings.list({ EventSourceArn: req.query.get("EventSourceArn") ?? undefined, FunctionName: req.query.get("FunctionName") ?? undefined });
          // By UUID: AWS's order is unrecorded; any order that names each mapping once pages stably.
          return page(all, req, "EventSourceMappings", { ...LIST_LIMITS.ListEventSourceMappings, position: (m) => [String(m.UUID)] });
        },
      },
    ]),
    { method: "GET", path: `${P}/{UUID}`, operation: "GetEventSourceMapping", handler: (req) => ({ body: mappings.get(req.params.UUID!) }) },
    { method: "PUT", path: `${P}/{UUID}`, operation: "UpdateEventSourceMapping", handler: async (req) => ({ status: 202, body: await mappings.update(req.params.UUID!, jsonBody<MappingInput>(req)) }) },
    { method: "DELETE", path: `${P}/{UUID}`, operation: "DeleteEventSourceMapping", handler: async (req) => ({ status: 202, body: await mappings.delete(req.params.UUID!) }) },
  ];
}
