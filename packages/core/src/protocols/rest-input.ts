import { isAwsError } from "../errors/aws-error.ts";
import { parseJsonObject } from "./aws-json.ts";
import { InputChecks } from "./input-checks.ts";
import type { RestRequest } from "./rest-json.ts";
import type { Shape } from "./service-model.ts";
import type { ServiceSpec } from "./service-spec.ts";

/** A REST-JSON service: its routes, and the model its inputs are checked against. */
export interface RestServiceSpec extends Omit<ServiceSpec, "operations"> {}

interface Plan {
  bindings: { name: string; location: string; key: string; shape: Shape }[];
  siblings: { operation: string; key: string; value: string }[] | undefined;
  payloadMember: string | undefined;
  payload: Shape | undefined;
}

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
  /** Operations that share a method and path and differ by a fixed query (`?List=ALL`): worked out at the first request, which reads the model. */
  private fixedQueries: Map<string, { operation: string; key: string; value: string }[]> | undefined;
  private readonly plans = new Map<string, Plan | undefined>();

  constructor(spec: RestServiceSpec) {
    this.spec = spec;
    this.checks = new InputChecks({ ...spec, operations: {} }, false);
  }

  private get byFixedQuery(): Map<string, { operation: string; key: string; value: string }[]> {
    if (this.fixedQueries !== undefined) return this.fixedQueries;
    const byKey = new Map<string, { operation: string; key: string; value: string }[]>();
    for (const [operation, op] of Object.entries(this.spec.model?.operations ?? {})) {
      const [path, fixed] = (op.http?.requestUri ?? "").split("?");
      if (fixed === undefined || op.http === undefined) continue;
      const [key, value = ""] = fixed.split("=");
      const k = `${op.http.method} ${path}`;
      byKey.set(k, [...(byKey.get(k) ?? []), { operation, key: key!, value }]);
    }
    return (this.fixedQueries = byKey);
  }

  /** Where each member of the operation's input travels, worked out once per operation. */
  private plan(operation: string): Plan | undefined {
    if (this.plans.has(operation)) return this.plans.get(operation);
    const model = this.spec.model;
    const op = model?.operations[operation];
    let plan: Plan | undefined;
    if (model !== undefined && op?.input !== undefined) {
      const shape = model.shapes[op.input]!;
      const bindings = Object.entries(shape.members ?? {})
        .filter(([, ref]) => ref.location === "uri" || ref.location === "querystring" || ref.location === "header")
        .map(([name, ref]) => ({ name, location: ref.location!, key: ref.location === "header" ? (ref.locationName ?? name).toLowerCase() : (ref.locationName ?? name), shape: model.shapes[ref.shape]! }));
      const siblings = op.http === undefined ? undefined : this.byFixedQuery.get(`${op.http.method} ${op.http.requestUri.split("?")[0]}`);
      plan = { bindings, siblings, payloadMember: shape.payload, payload: shape.payload === undefined ? undefined : model.shapes[shape.members![shape.payload]!.shape] };
    }
    this.plans.set(operation, plan);
    return plan;
  }

  /** Checks the request as `operation`, or as its sibling that the request's fixed query names. */
  check(routeOperation: string, req: RestRequest): void {
    const route = this.plan(routeOperation);
    if (route === undefined) return;
    const operation = route.siblings?.find((s) => req.query.get(s.key) === s.value)?.operation ?? routeOperation;
    const plan = operation === routeOperation ? route : this.plan(operation);
    if (plan === undefined) return;
    const payload = plan.payload;
    const body: Record<string, unknown> = payload === undefined || payload.type === "structure" ? parseJsonObject(req.body, this.spec) : {};
    // A copy: the bound members must not show up in the body the operation reads.
    const input: Record<string, unknown> = payload === undefined ? { ...body } : {};
    if (payload?.type === "structure") input[plan.payloadMember!] = body;
    for (const b of plan.bindings) {
      let raw: string | string[] | undefined;
      if (b.location === "uri") raw = req.params[b.key];
      else if (b.location === "querystring") raw = b.shape.type === "list" ? (req.query.has(b.key) ? req.query.getAll(b.key) : undefined) : (req.query.get(b.key) ?? undefined);
      else raw = headerValue(req.headers[b.key]);
      if (raw !== undefined) input[b.name] = fromString(raw, b.shape);
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
