import { isAwsError } from "../errors/aws-error.ts";
import { parseJsonObject } from "./aws-json.ts";
import { InputChecks } from "./operation-runner.ts";
import type { RestRequest } from "./rest-json.ts";
import type { Shape } from "./service-model.ts";
import type { ServiceSpec } from "./service-spec.ts";

/** A REST-JSON service: its routes, and the model its inputs are checked against. */
export interface RestServiceSpec extends Omit<ServiceSpec, "operations"> {}

const NUMERIC = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;

/**
 * Checks a REST-JSON request against its operation's input shape (Smithy restJson1 bindings):
 * members bound to the path, query string and headers are read as the model binds them and
 * converted by type; the others come from the JSON body, which is parsed once here and handed to
 * the operation through `req.json`. A payload member (Invoke's blob) is not parsed.
 */
export class RestInputChecks {
  private readonly checks: InputChecks;
  private readonly spec: RestServiceSpec;

  constructor(spec: RestServiceSpec) {
    this.spec = spec;
    this.checks = new InputChecks({ ...spec, operations: {} }, false);
  }

  check(operation: string, req: RestRequest): void {
    const model = this.spec.model;
    const shapeName = model?.operations[operation]?.input;
    if (model === undefined || shapeName === undefined) return;
    const shape = model.shapes[shapeName]!;
    const payload = shape.payload === undefined ? undefined : model.shapes[shape.members![shape.payload]!.shape];
    let body: Record<string, unknown> = {};
    if (payload === undefined || payload.type === "structure") {
      body = parseJsonObject(req.body, this.spec);
    }
    // A copy: the bound members must not show up in the body the operation reads.
    const input: Record<string, unknown> = payload === undefined ? { ...body } : {};
    if (payload?.type === "structure") input[shape.payload!] = body;
    for (const [name, ref] of Object.entries(shape.members ?? {})) {
      if (ref.location === undefined || ref.location === "headers") continue;
      const memberShape = model.shapes[ref.shape]!;
      const key = ref.locationName ?? name;
      let raw: string | string[] | undefined;
      if (ref.location === "uri") raw = req.params[key];
      else if (ref.location === "querystring") raw = memberShape.type === "list" ? (req.query.has(key) ? req.query.getAll(key) : undefined) : (req.query.get(key) ?? undefined);
      else if (ref.location === "header") raw = headerValue(req.headers[key.toLowerCase()]);
      if (raw !== undefined) input[name] = fromString(raw, memberShape);
    }
    try {
      this.checks.check(operation, input);
    } catch (e) {
      if (isAwsError(e)) throw e;
      throw this.spec.errors.internal();
    }
    if (payload !== undefined) return;
    // What the check removed (null members) or converted, the operation sees likewise.
    for (const k of Object.keys(body)) {
      if (input[k] === undefined) delete body[k];
      else body[k] = input[k];
    }
    req.json = body;
  }
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(",") : v;
}

/** Path, query and header values are strings on the wire; the model says what they are. */
function fromString(raw: string | string[], shape: Shape): unknown {
  if (Array.isArray(raw)) return raw;
  switch (shape.type) {
    case "integer":
    case "long":
    case "float":
    case "double":
      return NUMERIC.test(raw) ? Number(raw) : raw;
    case "boolean":
      return raw === "true" ? true : raw === "false" ? false : raw;
    default:
      return raw;
  }
}
