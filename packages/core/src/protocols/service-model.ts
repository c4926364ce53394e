import { readFileSync } from "node:fs";

/** A member reference inside a shape (botocore service-2.json, trimmed by models/generate.ts). */
export interface MemberRef {
  shape: string;
  /** REST binding: "uri", "querystring", "header", "headers", "statusCode"; absent = body. */
  location?: string;
  /** The wire name: a path/query/header name, or the query/XML element name. */
  locationName?: string;
  flattened?: boolean;
  queryName?: string;
}

export interface Shape {
  type: "structure" | "list" | "map" | "string" | "integer" | "long" | "float" | "double" | "boolean" | "timestamp" | "blob";
  members?: Record<string, MemberRef>;
  required?: string[];
  member?: MemberRef;
  key?: MemberRef;
  value?: MemberRef;
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  flattened?: boolean;
  locationName?: string;
  /** REST: the member that is the whole body. */
  payload?: string;
  union?: boolean;
  /** The model's `sensitive` trait: a value AWS leaves out of its messages (environment variables). */
  sensitive?: boolean;
}

export interface OperationModel {
  http?: { method: string; requestUri: string; responseCode?: number };
  input?: string;
  output?: string;
  /** Query protocol: the `<OpResult>` element wrapping the output. */
  resultWrapper?: string;
}

export interface ServiceModel {
  source: string;
  metadata: { apiVersion: string; protocol: string; targetPrefix?: string; jsonVersion?: string; signingName?: string; endpointPrefix: string; xmlNamespace?: string };
  operations: Record<string, OperationModel>;
  shapes: Record<string, Shape>;
}

const loaded = new Map<string, ServiceModel>();

/**
 * AWS's model of a served service (generated from botocore by packages/core/models/generate.ts):
 * `lambda`, `sqs`, `kinesis`, `events`, `scheduler`... Read once per process, at the first use of
 * one of its parts, not when a protocol registers it: a service nobody calls never parses its
 * model (~400 KB of JSON for all: issue 16's idle RSS).
 */
export function serviceModel(name: string): ServiceModel {
  let m = loaded.get(name);
  if (m === undefined) {
    let parsed: ServiceModel | undefined;
    const read = (): ServiceModel => (parsed ??= JSON.parse(readFileSync(new URL(`./models/${name}.json`, import.meta.url), "utf8")) as ServiceModel);
    m = {
      get source() {
        return read().source;
      },
      get metadata() {
        return read().metadata;
      },
      get operations() {
        return read().operations;
      },
      get shapes() {
        return read().shapes;
      },
    };
    loaded.set(name, m);
  }
  return m;
}
