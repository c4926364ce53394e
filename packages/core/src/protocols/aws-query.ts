import { isUtf8 } from "node:buffer";
import type { IncomingMessage, ServerResponse } from "node:http";
import { busyPoll } from "../clock/busy-poll.ts";
import { isAwsError, type AwsError } from "../errors/aws-error.ts";
import { InputChecks, operationContext } from "./input-checks.ts";
import type { MemberRef, ServiceModel, Shape } from "./service-model.ts";
import type { ServiceSpec } from "./service-spec.ts";

export interface QueryServiceSpec extends ServiceSpec {
  model: ServiceModel;
  /** The `xmlns` of every answer (SQS: `http://queue.amazonaws.com/doc/2012-11-05/`). */
  xmlNamespace: string;
  /** Fills what the request says outside its parameters (SQS: the queue named by the request path). */
  completeInput?(input: Record<string, unknown>, path: string): void;
  /** The query protocol's own wording of an error, where it differs from the JSON protocol's. */
  queryMessage?(e: AwsError): string | undefined;
}

/**
 * The AWS query protocol (form-encoded `Action=...&Version=...`, XML answers, legacy error codes),
 * as older SDKs and CLIs speak it. Parameters are read by the model's wire names (flattened lists
 * `AttributeName.1`, maps `Attribute.1.Name`/`.Value`), converted by its types, checked like every
 * other input, and the output is written as XML by the output shape.
 */
export function awsQueryHandler(spec: QueryServiceSpec) {
  const checks = new InputChecks(spec, true);
  return async (req: IncomingMessage, res: ServerResponse, body: Buffer, requestId: string): Promise<void> => {
    const shapes = spec.model.shapes;
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    try {
      const raw = body.toString("utf8");
      // The URL's parameters first, then the body's (an SDK sends them all in the body).
      const params = new URLSearchParams(q < 0 ? raw : url.slice(q + 1));
      if (q >= 0) for (const [k, v] of new URLSearchParams(raw)) params.append(k, v);
      if (!isUtf8(body) || badlyEncoded(params, raw)) throw spec.errors.invalidUtf8?.() ?? spec.errors.serialization("The request is not valid UTF-8");
      const action = params.get("Action") ?? "";
      const operation = Object.hasOwn(spec.operations, action) ? spec.operations[action] : undefined;
      const model = spec.model.operations[action];
      if (operation === undefined) throw spec.errors.unknownOperation(action);
      const inputShape = model?.input === undefined ? undefined : shapes[model.input];
      const input = inputShape === undefined ? {} : (readStructure(params, keyPrefixes(params), "", inputShape, shapes) ?? {});
      spec.completeInput?.(input, q < 0 ? url : url.slice(0, q));
      checks.check(action, input);
      const out = (await operation(input, operationContext(res, req.headers, requestId))) as Record<string, unknown> | undefined;
      const outputShape = model?.output === undefined ? undefined : shapes[model.output];
      const result = outputShape === undefined ? "" : `<${model!.resultWrapper ?? `${action}Result`}>${writeMembers(out ?? {}, outputShape, shapes)}</${model!.resultWrapper ?? `${action}Result`}>`;
      const xml = `<?xml version="1.0"?><${action}Response xmlns="${spec.xmlNamespace}">${result}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
      res.writeHead(200, { "Content-Type": "text/xml", "Content-Length": Buffer.byteLength(xml), "x-amzn-RequestId": requestId });
      res.end(xml);
      // A caller in a loop (a producer sending, a consumer receiving) sends its next request within tens of µs.
      busyPoll.expect();
    } catch (err) {
      if (res.headersSent) return void res.destroy();
      const e = isAwsError(err) ? err : spec.errors.internal();
      const message = spec.queryMessage?.(e) ?? e.message;
      const xml = `<?xml version="1.0"?><ErrorResponse xmlns="${spec.xmlNamespace}"><Error><Type>${e.senderFault ? "Sender" : "Receiver"}</Type><Code>${escapeXml(e.queryCode ?? e.code)}</Code><Message>${escapeXml(message)}</Message><Detail/></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
      res.writeHead(e.statusCode, { ...e.headers, "Content-Type": "text/xml", "Content-Length": Buffer.byteLength(xml), "x-amzn-RequestId": requestId });
      res.end(xml);
    }
  };
}

/**
 * URLSearchParams decodes percent-escapes that are not UTF-8 (`%ff%fe`) to U+FFFD without a word;
 * a U+FFFD the caller did not send itself (`%EF%BF%BD`) means such bytes.
 */
function badlyEncoded(params: URLSearchParams, raw: string): boolean {
  for (const [k, v] of params) {
    if ((k.includes("\uFFFD") || v.includes("\uFFFD")) && !/%EF%BF%BD/i.test(raw) && !raw.includes("\uFFFD")) return true;
  }
  return false;
}

/** Every dotted prefix of every parameter name, so lists and structures know where they end. */
function keyPrefixes(params: URLSearchParams): Set<string> {
  const out = new Set<string>();
  for (const k of params.keys()) {
    for (let i = k.indexOf("."); i >= 0; i = k.indexOf(".", i + 1)) out.add(k.slice(0, i));
    out.add(k);
  }
  return out;
}

const join = (prefix: string, name: string) => (prefix === "" ? name : `${prefix}.${name}`);

/**
 * The wire name of a member, a list's member or a map's key or value: the reference's own
 * locationName, else its target shape's, else the default. botocore resolves a member reference
 * over its shape (model.py ShapeResolver.resolve_shape_ref) and QuerySerializer and the XML parser
 * read the resolved `serialization['name']`: SQS's TagQueueRequest.Tags has no locationName, its
 * shape TagMap has `Tag` (flattened), so the CLI sends `Tag.1.Key`, not `Tags.1.Key`.
 */
function wireName(fallback: string, ref: MemberRef, shapes: Record<string, Shape>): string {
  return ref.locationName ?? shapes[ref.shape]?.locationName ?? fallback;
}

/** The member's name if it has one of its own or through its shape (botocore: `shape.member.serialization.get('name')`). */
function ownName(ref: MemberRef, shapes: Record<string, Shape>): string | undefined {
  return ref.locationName ?? shapes[ref.shape]?.locationName;
}

function readStructure(params: URLSearchParams, keys: Set<string>, prefix: string, shape: Shape, shapes: Record<string, Shape>): Record<string, unknown> | undefined {
  if (prefix !== "" && !keys.has(prefix)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [name, ref] of Object.entries(shape.members ?? {})) {
    const v = readValue(params, keys, join(prefix, wireName(name, ref, shapes)), ref, shapes);
    if (v !== undefined) out[name] = v;
  }
  return out;
}

function readValue(params: URLSearchParams, keys: Set<string>, prefix: string, ref: MemberRef, shapes: Record<string, Shape>): unknown {
  const shape = shapes[ref.shape]!;
  switch (shape.type) {
    case "structure":
      return readStructure(params, keys, prefix, shape, shapes);
    case "list": {
      const member = shape.member!;
      // Flattened: `Name.1`, with the member's own name in place of the list's; else `Name.member.1`.
      const memberName = ownName(member, shapes);
      const base = shape.flattened || ref.flattened ? (memberName === undefined ? prefix : replaceLast(prefix, memberName)) : `${prefix}.${memberName ?? "member"}`;
      if (!keys.has(`${base}.1`)) return keys.has(prefix) && params.get(prefix) === "" ? [] : undefined;
      const out: unknown[] = [];
      for (let i = 1; keys.has(`${base}.${i}`); i++) out.push(readValue(params, keys, `${base}.${i}`, member, shapes));
      return out;
    }
    case "map": {
      const base = shape.flattened || ref.flattened ? prefix : `${prefix}.entry`;
      const key = wireName("key", shape.key!, shapes);
      const value = wireName("value", shape.value!, shapes);
      if (!keys.has(`${base}.1`)) return undefined;
      const out: Record<string, unknown> = {};
      for (let i = 1; keys.has(`${base}.${i}`); i++) {
        const k = params.get(`${base}.${i}.${key}`);
        if (k !== null) out[k] = readValue(params, keys, `${base}.${i}.${value}`, shape.value!, shapes) ?? "";
      }
      return out;
    }
    default:
      // Strings as sent; the validator converts numbers, booleans and timestamps by the model.
      return params.get(prefix) ?? undefined;
  }
}

function replaceLast(prefix: string, name: string): string {
  const i = prefix.lastIndexOf(".");
  return i < 0 ? name : `${prefix.slice(0, i)}.${name}`;
}

function writeMembers(value: Record<string, unknown>, shape: Shape, shapes: Record<string, Shape>): string {
  let xml = "";
  for (const [name, ref] of Object.entries(shape.members ?? {})) {
    const v = value[name];
    if (v !== undefined && v !== null) xml += writeValue(wireName(name, ref, shapes), v, ref, shapes);
  }
  return xml;
}

function writeValue(name: string, v: unknown, ref: MemberRef, shapes: Record<string, Shape>): string {
  const shape = shapes[ref.shape]!;
  switch (shape.type) {
    case "structure":
      return `<${name}>${writeMembers(v as Record<string, unknown>, shape, shapes)}</${name}>`;
    case "list": {
      const items = v as unknown[];
      if (shape.flattened || ref.flattened) {
        const item = wireName(name, shape.member!, shapes);
        return items.map((e) => writeValue(item, e, shape.member!, shapes)).join("");
      }
      const item = wireName("member", shape.member!, shapes);
      return `<${name}>${items.map((e) => writeValue(item, e, shape.member!, shapes)).join("")}</${name}>`;
    }
    case "map": {
      const key = wireName("key", shape.key!, shapes);
      const val = wireName("value", shape.value!, shapes);
      const entries = Object.entries(v as Record<string, unknown>).map(([k, e]) => `<${key}>${escapeXml(k)}</${key}>${writeValue(val, e, shape.value!, shapes)}`);
      return shape.flattened || ref.flattened ? entries.map((e) => `<${name}>${e}</${name}>`).join("") : `<${name}>${entries.map((e) => `<entry>${e}</entry>`).join("")}</${name}>`;
    }
    case "timestamp":
      return `<${name}>${typeof v === "number" ? new Date(v * 1000).toISOString() : escapeXml(String(v))}</${name}>`;
    default:
      return `<${name}>${escapeXml(String(v))}</${name}>`;
  }
}

export function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/\r/g, "&#xD;");
}
