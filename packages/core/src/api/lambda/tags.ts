import { lambdaErrors } from "../../errors/lambda-errors.ts";
import type { EventSourceMappings } from "../../mappings/event-source-mappings.ts";
import type { FunctionRegistry } from "../../registry/function-registry.ts";
import type { LambdaTags, TaggableKind } from "../../registry/lambda-tags.ts";
import { jsonBody, type RestRequest, type RestRoute } from "../../protocols/rest-json.ts";

const P = "/2017-03-31/tags/{Resource}";

/**
 * TagResource / UntagResource / ListTags (REST-JSON, `/2017-03-31/tags/{ARN}`) on functions and
 * event source mappings, the TaggableResource ARNs of botocore's lambda model; the router has
 * already checked the ARN against the model's pattern (ValidationException).
 */
export function tagRoutes(registry: FunctionRegistry, mappings: EventSourceMappings, tags: LambdaTags): RestRoute[] {
  const resource = (req: RestRequest) => taggable(registry, mappings, req.params.Resource!, req.requestId);
  return [
    {
      method: "POST",
      path: P,
      operation: "TagResource",
      handler: (req) => {
        const { kind, id } = resource(req);
        const input = jsonBody<{ Tags?: Record<string, string> }>(req).Tags ?? {};
        // LocalStack's snapshot-tested provider: an empty Tags map is refused with this message.
        if (Object.keys(input).length === 0) throw lambdaErrors.invalidParameterValue("An error occurred and the request cannot be processed.");
        tags.tag(kind, id, input);
        return { status: 204 };
      },
    },
    {
      method: "DELETE",
      path: P,
      operation: "UntagResource",
      handler: (req) => {
        const { kind, id } = resource(req);
        tags.untag(kind, id, req.query.getAll("tagKeys"));
        return { status: 204 };
      },
    },
    {
      method: "GET",
      path: P,
      operation: "ListTags",
      handler: (req) => {
        const { kind, id } = resource(req);
        return { body: { Tags: tags.get(kind, id) } };
      },
    },
  ];
}

/**
 * The function or mapping a TaggableResource ARN names, which must exist here (this region and
 * account). A qualified function ARN is refused before the lookup, with AWS's message as
 * LocalStack's snapshot-tested provider has it: tags belong to the function, not to a version or
 * alias. Code signing configs and capacity providers are not simulated: none exists.
 */
function taggable(registry: FunctionRegistry, mappings: EventSourceMappings, arn: string, requestId: string): { kind: TaggableKind; id: string } {
  const [, , , region, account, type, id, qualifier] = arn.split(":");
  const ours = region === registry.region && account === registry.accountId;
  if (type === "function") {
    if (qualifier !== undefined) throw lambdaErrors.invalidParameterValue("Tags on function aliases and versions are not supported. Please specify a function ARN.");
    if (!ours || !registry.has(id!)) throw lambdaErrors.functionNotFound(arn);
    return { kind: "function", id: id! };
  }
  if (type === "event-source-mapping") {
    if (!ours) throw lambdaErrors.mappingNotFound(requestId);
    mappings.get(id!, requestId);
    return { kind: "event-source-mapping", id: id! };
  }
  throw lambdaErrors.resourceNotFound("The resource you requested does not exist.");
}
