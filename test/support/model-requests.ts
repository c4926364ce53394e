import { serviceModel, type ServiceModel } from "@lambda-sim/core";

/**
 * Requests built from AWS's models for the protocol fuzz test: a plausible input per operation
 * (required members, values inside their bounds), then one member swapped for a bad value.
 * Values never name the resources the test keeps (its queue, stream and function).
 */
export type Shape = ServiceModel["shapes"][string];

/** A small seeded generator (mulberry32): the same seed, the same requests. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;

/** Wrong kinds for every member kind, nulls, huge and negative numbers, odd strings. */
export const BAD_VALUES: unknown[] = [
  null, 0, -1, 1.5, 2 ** 31, -(2 ** 53), 1e308, 99999, "x", "", "9", "\ud800", "%ff", "x".repeat(3000), true, false, [], [null], ["x"], {}, { k: 5 }, { k: null }, [{}], [[1]],
];

/** Path segments with invalid percent-encoding (issue 12). */
export const BAD_SEGMENTS = ["%C3%28", "%ff%fe", "%", "%zz", "%E0%A4%A", "a%2Fb", "..", "x".repeat(300)];

export function sampleValue(model: ServiceModel, shapeName: string, depth = 0): unknown {
  const s = model.shapes[shapeName]!;
  switch (s.type) {
    case "structure": {
      const out: Record<string, unknown> = {};
      if (depth > 4) return out;
      for (const r of s.required ?? []) out[r] = sampleValue(model, s.members![r]!.shape, depth + 1);
      return out;
    }
    case "list":
      return depth > 4 ? [] : Array.from({ length: Math.max(1, s.min ?? 1) }, () => sampleValue(model, s.member!.shape, depth + 1));
    case "map":
      return depth > 4 ? {} : { [String(sampleValue(model, s.key!.shape, depth + 1))]: sampleValue(model, s.value!.shape, depth + 1) };
    case "string":
      return s.enum?.[0] ?? "z".repeat(Math.max(1, s.min ?? 1));
    case "integer":
    case "long":
    case "float":
    case "double":
      return s.min ?? 0;
    case "boolean":
      return false;
    case "timestamp":
      return 1767225600;
    case "blob":
      return "eg==";
    default:
      return "z";
  }
}

/** Replaces one randomly chosen member (at any depth) with a bad value. */
export function mutate(rnd: () => number, value: unknown, depth = 0): unknown {
  if (depth > 0 && rnd() < 0.4) return pick(rnd, BAD_VALUES);
  if (Array.isArray(value) && value.length > 0) {
    const copy = [...value];
    const i = Math.floor(rnd() * copy.length);
    copy[i] = mutate(rnd, copy[i], depth + 1);
    return copy;
  }
  if (typeof value === "object" && value !== null && Object.keys(value).length > 0) {
    const copy = { ...(value as Record<string, unknown>) };
    const k = pick(rnd, Object.keys(copy));
    copy[k] = mutate(rnd, copy[k], depth + 1);
    return copy;
  }
  return pick(rnd, BAD_VALUES);
}

export const models = {
  lambda: serviceModel("lambda"),
  sqs: serviceModel("sqs"),
  kinesis: serviceModel("kinesis"),
  events: serviceModel("events"),
  scheduler: serviceModel("scheduler"),
  logs: serviceModel("logs"),
  cloudwatch: serviceModel("cloudwatch"),
  sns: serviceModel("sns"),
};

/** Every member of an input shape, with the fields a request needs to place it. */
export function inputMembers(model: ServiceModel, operation: string): { name: string; shape: Shape; location?: string; locationName?: string }[] {
  const input = model.operations[operation]?.input;
  if (input === undefined) return [];
  return Object.entries(model.shapes[input]!.members ?? {}).map(([name, ref]) => ({ name, shape: model.shapes[ref.shape]!, location: ref.location, locationName: ref.locationName }));
}

/**
 * A value as query-protocol parameters (`Name.member.1`, `Attributes.entry.1.key`), named as
 * botocore's QuerySerializer names them: a reference's or its shape's locationName, flattened lists
 * and maps without `member`/`entry`. Only strings, numbers and booleans reach the wire.
 */
export function queryParams(model: ServiceModel, shapeName: string, value: unknown, prefix = "", out: [string, string][] = []): [string, string][] {
  const shape = model.shapes[shapeName]!;
  const join = (name: string) => (prefix === "" ? name : `${prefix}.${name}`);
  const own = (ref: { shape: string; locationName?: string }) => ref.locationName ?? model.shapes[ref.shape]?.locationName;
  if (shape.type === "structure" && typeof value === "object" && value !== null) {
    for (const [name, ref] of Object.entries(shape.members ?? {})) {
      const v = (value as Record<string, unknown>)[name];
      if (v !== undefined) queryParams(model, ref.shape, v, join(own(ref) ?? name), out);
    }
  } else if (shape.type === "list" && Array.isArray(value)) {
    const name = own(shape.member!);
    const base = shape.flattened ? (name === undefined ? prefix : prefix.replace(/[^.]+$/, name)) : `${prefix}.${name ?? "member"}`;
    value.forEach((v, i) => queryParams(model, shape.member!.shape, v, `${base}.${i + 1}`, out));
  } else if (shape.type === "map" && typeof value === "object" && value !== null) {
    const base = shape.flattened ? prefix : `${prefix}.entry`;
    Object.entries(value).forEach(([k, v], i) => {
      out.push([`${base}.${i + 1}.${own(shape.key!) ?? "key"}`, k]);
      queryParams(model, shape.value!.shape, v, `${base}.${i + 1}.${own(shape.value!) ?? "value"}`, out);
    });
  } else if (value !== null && typeof value !== "object") {
    out.push([prefix, String(value)]);
  }
  return out;
}
