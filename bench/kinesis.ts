// bench/kinesis: records per second through the Kinesis JSON 1.1 API with the durable store, and
// end to end through a stream event source mapping (issue 6), each beside a reference measured in
// the same run.
//
//   node bench/kinesis.ts [--quick] [--e2e-only] [--timeline]
//
// (1) Workers loop PutRecords (500 records of ~100 bytes) against a simulator in its own process
// with a state directory (WAL, synchronous=NORMAL). Reference: the same inserts straight on SQLite
// with the same settings, in this process, 500 per transaction.
// (2) End to end: 100,000 records over 4 shards (1,000 partition keys, each key's values 0, 1, 2…)
// consumed by a mapping (batch 100, TRIM_HORIZON) into a no-op Node function that appends, per
// batch, its arrival-to-handler latencies and the keys and values it got. Records/s from the first
// put to the last record handled; p50/p99 latency; per-key order verified. Reference: the same
// function invoked directly with 100-record events, 4 at a time (the ceiling the mapping works under).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { cpuMs, rawSqlite, startSimulator } from "./support.ts";

const quick = process.argv.includes("--quick");
const timeline = process.argv.includes("--timeline");
/** Only the end-to-end phase and its reference (while working on the mapping). */
const e2eOnly = process.argv.includes("--e2e-only");
const PUT_RECORDS = quick ? 50_000 : 200_000;
const END_TO_END = quick ? 20_000 : 100_000;
const WORKERS = 4;
const KEYS = 1_000;
const agent = new Agent({ keepAlive: true, maxSockets: 16 });

function call(port: number, target: string, input: unknown, path = "/", contentType = "application/x-amz-json-1.1"): Promise<any> {
  const body = Buffer.from(JSON.stringify(input));
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { "Content-Type": contentType, "Content-Length": body.length };
    if (target !== "") headers["X-Amz-Target"] = target;
    const req = request({ host: "127.0.0.1", port, path, method: "POST", agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString();
        if (res.statusCode !== 200) reject(new Error(`${target || path}: ${res.statusCode} ${text}`));
        else resolve(text === "" ? {} : JSON.parse(text));
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

const kinesis = (port: number, op: string, input: unknown) => call(port, `Kinesis_20131202.${op}`, input);
const data = (i: number) => Buffer.from(JSON.stringify({ i, page: `/page/${i % 97}`, pad: "x".repeat(60) })).toString("base64");

async function putThroughApi(port: number): Promise<number> {
  await kinesis(port, "CreateStream", { StreamName: "bench", ShardCount: 4 });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: WORKERS }, async (_, w) => {
      for (let n = 0; n < PUT_RECORDS / WORKERS; n += 500) {
        const Records = Array.from({ length: 500 }, (_, i) => ({ PartitionKey: `user-${(w * 7919 + n + i) % KEYS}`, Data: data(n + i) }));
        const out = await kinesis(port, "PutRecords", { StreamName: "bench", Records });
        if (out.FailedRecordCount !== 0) throw new Error("failed records");
      }
    }),
  );
  return (PUT_RECORDS / (performance.now() - started)) * 1000;
}

function sqliteReference(dir: string): number {
  const db = rawSqlite(join(dir, "reference.db"));
  db.exec("CREATE TABLE r (seq INTEGER PRIMARY KEY AUTOINCREMENT, stream TEXT, shard INTEGER, key TEXT, data BLOB, at INTEGER)");
  db.exec("CREATE INDEX r_shard ON r (stream, shard, seq)");
  const insert = db.prepare("INSERT INTO r (stream, shard, key, data, at) VALUES ('bench', ?, ?, ?, ?)");
  const started = performance.now();
  for (let n = 0; n < PUT_RECORDS; n += 500) {
    db.transaction(() => {
      for (let i = 0; i < 500; i++) insert.run((n + i) % 4, `user-${(n + i) % KEYS}`, Buffer.from(data(n + i), "base64"), Date.now());
    })();
  }
  const rate = (PUT_RECORDS / (performance.now() - started)) * 1000;
  db.close();
  return rate;
}

/** The handlers' stats folders, removed at the end. */
const statsDirs: string[] = [];

/** The consumer, its stream and the mapping; the handler appends one line per batch to `statsDir`. */
function endToEndConfig(dir: string): { config: string; statsDir: string } {
  // Neither in the function's folder (read-only in its environment, as /var/task is) nor under
  // /tmp (its environment's /tmp is its own): where the handler and the benchmark both see it.
  mkdirSync(join(dir, "consumer"), { recursive: true });
  const statsDir = mkdtempSync(join(existsSync("/var/tmp") ? "/var/tmp" : homedir(), "lambda-sim-bench-kinesis-stats-"));
  statsDirs.push(statsDir);
  writeFileSync(
    join(dir, "consumer", "index.mjs"),
    `import { appendFileSync } from "node:fs";
const file = ${JSON.stringify(statsDir)} + "/" + process.pid;
const us = () => Math.round((performance.timeOrigin + performance.now()) * 1000);
// When the process started and when the handler's module was loaded (µs), for --timeline.
const started = Math.round(performance.timeOrigin * 1000);
const loaded = us();
// One line per batch: when it ran (µs, comparable across processes), latencies, key:value pairs,
// then the shard, the process's start and module load, and when the handler returned.
export const handler = async (event) => {
  const now = Date.now();
  const t = us();
  const lat = event.Records.map((r) => now - Math.round(r.kinesis.approximateArrivalTimestamp * 1000));
  const kv = event.Records.map((r) => r.kinesis.partitionKey + ":" + Buffer.from(r.kinesis.data, "base64").toString());
  const shard = event.Records[0].eventID.slice(0, event.Records[0].eventID.indexOf(":"));
  appendFileSync(file, t + "|" + lat.join(",") + "|" + kv.join(",") + "|" + shard + "|" + started + "|" + loaded + "|" + us() + "\\n");
};
`,
  );
  const config = join(dir, "e2e.yaml");
  writeFileSync(
    config,
    [
      "functions:",
      "  consumer: { runtime: nodejs24.x, handler: index.handler, codeUri: ./consumer }",
      "streams:",
      "  e2e: { shardCount: 4 }",
      "eventSourceMappings:",
      "  - { functionName: consumer, eventSourceArn: kinesis:e2e, startingPosition: TRIM_HORIZON, batchSize: 100 }",
      "",
    ].join("\n"),
  );
  return { config, statsDir };
}

interface Batch {
  t: number;
  latencies: number[];
  kv: [string, number][];
  shard: string;
  /** The environment's process: when it started and loaded the handler (µs); when this batch's handler returned. */
  pid: string;
  processStart: number;
  loaded: number;
  end: number;
}

function readBatches(statsDir: string): Batch[] {
  return readdirSync(statsDir)
    .flatMap((f) => readFileSync(join(statsDir, f), "utf8").split("\n").map((l) => [f, l] as const))
    .filter(([, l]) => l !== "")
    .map(([pid, l]) => {
      const [t, lat, kv, shard, processStart, loaded, end] = l.split("|");
      return {
        t: Number(t), latencies: lat!.split(",").map(Number), kv: kv!.split(",").map((p) => [p.slice(0, p.indexOf(":")), Number(p.slice(p.indexOf(":") + 1))] as [string, number]),
        shard: shard!, pid, processStart: Number(processStart), loaded: Number(loaded), end: Number(end),
      };
    });
}

const epochUs = () => Math.round((performance.timeOrigin + performance.now()) * 1000);

/**
 * Where a run's time went (--timeline): the puts' progress beside the records handled, each
 * environment's start (process, handler loaded, first batch), and per shard its first batch and
 * the gaps between one batch's return and the next one's start.
 */
function printTimeline(startUs: number, puts: [number, number][], batches: Batch[]): void {
  const ms = (us: number) => ((us - startUs) / 1000).toFixed(0).padStart(5);
  const handled = [...batches].sort((a, b) => a.t - b.t);
  const lastPut = puts.at(-1)![0];
  // Arrival times are whole ms: the handler's clock minus each record's latency.
  const firstStored = Math.min(...handled.map((b) => b.t - Math.max(...b.latencies) * 1000));
  console.log(`timeline (ms from the first put): first record stored ~${ms(firstStored).trim()}, first answers at ${puts.slice(0, 4).map(([t]) => ms(t).trim()).join(", ")}; puts done at ${ms(lastPut)}, last batch returned at ${ms(Math.max(...handled.map((b) => b.end)))}`);
  const end = Math.max(...handled.map((b) => b.end));
  let p = 0;
  let h = 0;
  let put = 0;
  let done = 0;
  for (let at = startUs + 250_000; at < end + 250_000; at += 250_000) {
    while (p < puts.length && puts[p]![0] <= at) put = puts[p++]![1];
    while (h < handled.length && handled[h]!.t <= at) done += handled[h++]!.kv.length;
    console.log(`  ${ms(at)}: put ${String(put).padStart(6)}  handled ${String(done).padStart(6)}`);
  }
  const byPid = new Map<string, Batch[]>();
  for (const b of handled) byPid.set(b.pid, [...(byPid.get(b.pid) ?? []), b]);
  for (const [pid, bs] of byPid) {
    console.log(`  environment ${pid}: process started ${ms(bs[0]!.processStart)}, handler loaded ${ms(bs[0]!.loaded)}, first batch ${ms(bs[0]!.t)}, ${bs.length} batches`);
  }
  const byShard = new Map<string, Batch[]>();
  for (const b of handled) byShard.set(b.shard, [...(byShard.get(b.shard) ?? []), b]);
  for (const [shard, bs] of [...byShard].sort()) {
    const gaps = bs.slice(1).map((b, i) => (b.t - bs[i]!.end) / 1000).sort((x, y) => x - y);
    const runs = bs.map((b) => (b.end - b.t) / 1000).sort((x, y) => x - y);
    const q = (xs: number[], f: number) => xs[Math.floor(xs.length * f)]?.toFixed(2) ?? "-";
    console.log(`  ${shard}: first batch ${ms(bs[0]!.t)}, last ${ms(bs.at(-1)!.t)}, ${bs.length} batches; gap between batches p50 ${q(gaps, 0.5)} ms p90 ${q(gaps, 0.9)} ms p99.9 ${q(gaps, 0.999)} ms; handler p50 ${q(runs, 0.5)} ms`);
  }
}

function handledCount(statsDir: string): number {
  let n = 0;
  for (const f of readdirSync(statsDir)) {
    const text = readFileSync(join(statsDir, f), "latin1");
    for (let i = text.indexOf("user-"); i >= 0; i = text.indexOf("user-", i + 5)) n++;
  }
  return n;
}

async function endToEnd(port: number, pid: number | undefined, statsDir: string): Promise<{ rate: number; p50: number; p99: number; ordered: boolean; cpuPer1000?: number }> {
  // Each worker owns a quarter of the keys and sends each key's values in order. The records are
  // made before the clock starts: it runs from the first put.
  const perWorker = Array.from({ length: WORKERS }, (_, w) => {
    const keys = Array.from({ length: KEYS / WORKERS }, (_, i) => `user-${i * WORKERS + w}`);
    return Array.from({ length: END_TO_END / KEYS }, (_, v) => keys.map((k) => ({ PartitionKey: k, Data: Buffer.from(String(v)).toString("base64") }))).flat();
  });
  const cpuBefore = cpuMs(pid);
  const started = performance.now();
  const startUs = epochUs();
  const puts: [number, number][] = [];
  let put = 0;
  await Promise.all(
    perWorker.map(async (all) => {
      for (let i = 0; i < all.length; i += 500) {
        await kinesis(port, "PutRecords", { StreamName: "e2e", Records: all.slice(i, i + 500) });
        puts.push([epochUs(), (put += 500)]);
      }
    }),
  );
  // Waiting costs this process little (it shares the 2 cores with the simulator and the
  // environments): records counted by their "user-" keys, the batches parsed once at the end.
  while (handledCount(statsDir) < END_TO_END) await new Promise((r) => setTimeout(r, 20));
  const cpuAfter = cpuMs(pid);
  const batches = readBatches(statsDir);
  // Up to the end of the last batch, by the handler's clock (the same system clock as ours), as the
  // direct reference runs to its last response.
  const elapsed = Math.max(...batches.map((b) => b.end)) / 1000 - (performance.timeOrigin + started);
  const latencies = batches.flatMap((b) => b.latencies).sort((x, y) => x - y);
  // Batches of one shard never overlap (ParallelizationFactor 1): sorted by when they ran, every
  // key's values must come 0, 1, 2, ... with nothing missing or repeated.
  const next = new Map<string, number>();
  let ordered = true;
  for (const b of batches.sort((x, y) => x.t - y.t)) {
    for (const [k, v] of b.kv) {
      if ((next.get(k) ?? 0) !== v) ordered = false;
      next.set(k, v + 1);
    }
  }
  if (timeline) printTimeline(startUs, puts, batches);
  const cpuPer1000 = cpuBefore === undefined || cpuAfter === undefined ? undefined : ((cpuAfter - cpuBefore) / END_TO_END) * 1000;
  return { rate: (END_TO_END / elapsed) * 1000, p50: latencies[Math.floor(latencies.length * 0.5)]!, p99: latencies[Math.floor(latencies.length * 0.99)]!, ordered, cpuPer1000 };
}

/** The reference: the same function invoked directly with 100-record events, 4 at a time. */
async function directInvoke(port: number): Promise<number> {
  // Records shaped and sized as the mapping's (aws-facts §8.2), so both paths carry the same bytes.
  const arn = "arn:aws:kinesis:us-east-1:000000000000:stream/e2e";
  const records = Array.from({ length: 100 }, (_, i) => {
    const sequenceNumber = `49${String(i).padStart(54, "0")}`;
    return {
      kinesis: { kinesisSchemaVersion: "1.0", partitionKey: `user-${i}`, sequenceNumber, data: Buffer.from(String(i)).toString("base64"), approximateArrivalTimestamp: Date.now() / 1000 },
      eventSource: "aws:kinesis",
      eventVersion: "1.0",
      eventID: `shardId-000000000000:${sequenceNumber}`,
      eventName: "aws:kinesis:record",
      invokeIdentityArn: "arn:aws:iam::000000000000:role/lambda-role",
      awsRegion: "us-east-1",
      eventSourceARN: arn,
    };
  });
  const event = { Records: records };
  const invokes = quick ? 100 : 400;
  let done = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: WORKERS }, async () => {
      while (done < invokes) {
        done++;
        await call(port, "", event, "/2015-03-31/functions/consumer/invocations", "application/json");
      }
    }),
  );
  return ((invokes * 100) / (performance.now() - started)) * 1000;
}

const dir = mkdtempSync(join(tmpdir(), "lambda-sim-bench-kinesis-"));
try {
  const { config, statsDir } = endToEndConfig(dir);
  const e2eSim = await startSimulator(process.env.BENCH_NODE_ARGS?.split(" ") ?? [], ["--state", join(dir, "e2e-state"), "--config", config]);
  let e2e;
  let direct;
  try {
    e2e = await endToEnd(e2eSim.port, e2eSim.child.pid, statsDir);
    direct = await directInvoke(e2eSim.port);
  } finally {
    e2eSim.child.kill("SIGTERM");
  }
  console.log(`node ${process.version}`);
  if (!e2eOnly) {
    const apiSim = await startSimulator(process.env.BENCH_NODE_ARGS?.split(" ") ?? [], ["--state", join(dir, "api-state")]);
    const api = await putThroughApi(apiSim.port).finally(() => apiSim.child.kill("SIGTERM"));
    const reference = sqliteReference(dir);
    console.log(`PutRecords of 500 records (~100 bytes), ${WORKERS} workers, ${PUT_RECORDS} records`);
    console.log(`through the Kinesis JSON 1.1 API (durable store): ${api.toFixed(0)} records/s   (goal ≥ 20,000)`);
    console.log(`raw SQLite inserts, 500 per transaction:          ${reference.toFixed(0)} records/s   (reference; ratio ${(reference / api).toFixed(1)}x)`);
  }
  console.log(`end to end, ${END_TO_END} records over 4 shards through a mapping (batch 100) into a no-op function: ${e2e.rate.toFixed(0)} records/s   (goal ≥ 30,000)`);
  console.log(`  arrival → handler latency: p50 ${e2e.p50} ms, p99 ${e2e.p99} ms; per-key order ${e2e.ordered ? "kept" : "BROKEN"}`);
  // Puts, reads, invocations and checkpoints together: steadier than the rate on a shared machine.
  if (e2e.cpuPer1000 !== undefined) console.log(`  simulator CPU: ${e2e.cpuPer1000.toFixed(0)} ms per 1,000 records`);
  console.log(`  the same function invoked directly with 100-record events, ${WORKERS} at a time: ${direct.toFixed(0)} records/s   (reference; ratio ${(direct / e2e.rate).toFixed(2)}x)`);
  if (!e2e.ordered) process.exitCode = 1;
} finally {
  agent.destroy();
  rmSync(dir, { recursive: true, force: true });
  for (const d of statsDirs) rmSync(d, { recursive: true, force: true });
}
