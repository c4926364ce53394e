/**
 * Regenerates packages/core/src/protocols/models/*.json from botocore's service models (AWS's own
 * published models, with the length/range/pattern/enum constraints the JS SDK v3 schemas drop).
 *
 *   node packages/core/models/generate.ts [path/to/botocore/data]
 *
 * Without an argument, botocore is found through python3 (Debian `python3-botocore`, or
 * `pip install botocore`). Only what request checking and the query/XML serialiser need is kept:
 * protocol metadata, each operation's HTTP binding and input/output shape names, and the shapes
 * they reach, without documentation. Add a service by adding it to SERVICES.
 *
 * SQS moved to AWS JSON 1.0 in 2023 and its current model lost the query protocol's wire names
 * (`Attribute.1.Name`, `SendMessageBatchRequestEntry.1.Id`, `<SendMessageResult>`), which the
 * query/XML front end still needs. They are merged in from a botocore of the query era when one is
 * at hand: QUERY_NAMES_FROM, by default Debian's python3-botocore (1.29).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { join } from "node:path";

/** Served services: botocore's name → the file written under src/protocols/models/. */
const SERVICES = ["lambda", "sqs", "kinesis", "events", "scheduler", "logs", "cloudwatch", "sns"];

const MEMBER_KEYS = ["shape", "location", "locationName", "flattened", "queryName", "jsonvalue"];
const SHAPE_KEYS = ["type", "sensitive", "required", "min", "max", "pattern", "enum", "flattened", "locationName", "payload", "timestampFormat", "union", "exception", "error"];
const META_KEYS = ["apiVersion", "protocol", "jsonVersion", "targetPrefix", "signingName", "endpointPrefix", "xmlNamespace", "awsQueryCompatible", "serviceId"];

const dataDir = process.argv[2] ?? join(execFileSync("python3", ["-c", "import botocore, os; print(os.path.dirname(botocore.__file__))"]).toString().trim(), "data");
const queryNamesFrom = process.env.QUERY_NAMES_FROM ?? "/usr/lib/python3/dist-packages/botocore/data";
const outDir = new URL("../src/protocols/models/", import.meta.url);

for (const service of SERVICES) {
  const versions = readdirSync(join(dataDir, service)).sort();
  const dir = join(dataDir, service, versions[versions.length - 1]!);
  const file = join(dir, "service-2.json");
  const model = readModel(dir);
  if (model.metadata.awsQueryCompatible !== undefined) mergeQueryNames(model, service);
  const shapes: Record<string, any> = {};
  const visit = (name: string | undefined) => {
    if (name === undefined || shapes[name] !== undefined) return;
    const s = model.shapes[name];
    const out: Record<string, unknown> = pick(s, SHAPE_KEYS);
    shapes[name] = out;
    if (s.members) {
      out.members = Object.fromEntries(Object.entries(s.members).map(([k, m]) => [k, pick(m, MEMBER_KEYS)]));
      for (const m of Object.values<any>(s.members)) visit(m.shape);
    }
    for (const k of ["member", "key", "value"]) {
      if (s[k] === undefined) continue;
      out[k] = pick(s[k], MEMBER_KEYS);
      visit(s[k].shape);
    }
  };
  const operations: Record<string, unknown> = {};
  for (const [name, op] of Object.entries<any>(model.operations)) {
    operations[name] = { http: op.http && pick(op.http, ["method", "requestUri", "responseCode"]), input: op.input?.shape, output: op.output?.shape, resultWrapper: op.output?.resultWrapper };
    visit(op.input?.shape);
    visit(op.output?.shape);
  }
  const out = { source: `botocore ${service}/${versions[versions.length - 1]} service-2.json`, metadata: pick(model.metadata, META_KEYS), operations, shapes };
  writeFileSync(new URL(`${service}.json`, outDir), JSON.stringify(out) + "\n");
  console.log(`${service}: ${Object.keys(operations).length} operations, ${Object.keys(shapes).length} shapes`);
}

function readModel(dir: string): any {
  const file = join(dir, "service-2.json");
  return JSON.parse(existsSync(file) ? readFileSync(file, "utf8") : gunzipSync(readFileSync(`${file}.gz`)).toString("utf8"));
}

/** Copies member/list/map `locationName`s and `resultWrapper`s from the service's query-protocol model. */
function mergeQueryNames(model: any, service: string): void {
  const root = join(queryNamesFrom, service);
  if (!existsSync(root)) {
    console.warn(`${service}: no query-protocol model under ${queryNamesFrom}; query wire names left out`);
    return;
  }
  const versions = readdirSync(root).sort();
  const old = readModel(join(root, versions[versions.length - 1]!));
  if (old.metadata.protocol !== "query") return;
  for (const [name, op] of Object.entries<any>(model.operations)) {
    const wrapper = old.operations[name]?.output?.resultWrapper;
    if (wrapper !== undefined && op.output !== undefined) op.output.resultWrapper = wrapper;
  }
  for (const [name, shape] of Object.entries<any>(model.shapes)) {
    const before = old.shapes[name];
    if (before === undefined) continue;
    if (before.locationName !== undefined) shape.locationName ??= before.locationName;
    if (before.flattened !== undefined) shape.flattened ??= before.flattened;
    for (const k of ["member", "key", "value"]) if (shape[k] !== undefined && before[k]?.locationName !== undefined) shape[k].locationName ??= before[k].locationName;
    for (const [m, ref] of Object.entries<any>(shape.members ?? {})) {
      const was = before.members?.[m];
      if (was?.locationName !== undefined) ref.locationName ??= was.locationName;
      if (was?.flattened !== undefined) ref.flattened ??= was.flattened;
    }
  }
}

function pick(o: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const r: Record<string, unknown> = {};
  for (const k of keys) if (o[k] !== undefined) r[k] = o[k];
  return r;
}
