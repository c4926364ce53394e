import type { MappingInput } from "../../config/mapping-input.ts";
import type { EventSourceMappings } from "../../mappings/event-source-mappings.ts";
import { checkTags, type LambdaTags } from "../../registry/lambda-tags.ts";
import { jsonBody, type RestRoute } from "../../protocols/rest-json.ts";
import { LIST_LIMITS, page } from "./pagination.ts";

const P = "/2015-03-31/event-source-mappings";

/**
 * Create/Get/List/Update/DeleteEventSourceMapping (REST-JSON; Create/Update/Delete answer 202).
 * CreateEventSourceMapping's Tags are the mapping's (taggable since 2024: TaggableResource).
 */
export function eventSourceMappingRoutes(mappings: EventSourceMappings, tags: LambdaTags): RestRoute[] {
  return [
    ...[P, `${P}/`].flatMap((path): RestRoute[] => [
      {
        method: "POST",
        path,
        operation: "CreateEventSourceMapping",
        handler: (req) => {
          const input = jsonBody<MappingInput & { Tags?: Record<string, string> }>(req);
          const mappingTags = checkTags(input.Tags);
          const created = mappings.create(input);
          if (Object.keys(mappingTags).length > 0) tags.tag("event-source-mapping", created.UUID as string, mappingTags);
          return { status: 202, body: created };
        },
      },
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
    { method: "GET", path: `${P}/{UUID}`, operation: "GetEventSourceMapping", handler: (req) => ({ body: mappings.get(req.params.UUID!, req.requestId) }) },
    { method: "PUT", path: `${P}/{UUID}`, operation: "UpdateEventSourceMapping", handler: async (req) => ({ status: 202, body: await mappings.update(req.params.UUID!, jsonBody<MappingInput>(req), { requestId: req.requestId }) }) },
    {
      method: "DELETE",
      path: `${P}/{UUID}`,
      operation: "DeleteEventSourceMapping",
      handler: async (req) => {
        const body = await mappings.delete(req.params.UUID!, req.requestId);
        tags.forget("event-source-mapping", req.params.UUID!);
        return { status: 202, body };
      },
    },
  ];
}
