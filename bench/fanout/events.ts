// bench/fanout/events: the EventBridge half of issue 19's fan-out benchmark.
//
//   node bench/fanout/events.ts [--quick]
//
// (1) Pattern matching on one core, measured alone: each of 10 rule patterns (exact, prefix,
// anything-but, numeric range, exists, cidr, wildcard, $or, nested arrays) compiled by the one
// matcher (core patterns/) and run over parsed events: events/s per rule. Reference, same run:
// a hand-written JS predicate for the first pattern (the floor for a compiled pattern), and
// JSON.parse of the same events (what every event costs before any rule looks at it).
// (2) Through the API: a simulator in its own process with a state directory; a bus with the 10
// rules, each targeting its own SQS queue; workers loop PutEvents (10 entries): accepted events/s
// (every matched delivery is in SQLite before PutEvents answers), and end to end delivered/s until
// the queues hold every delivery. Reference, same run: the raw SQLite insert of the same
// delivery rows, one transaction per PutEvents call.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compilePattern } from "../../packages/core/src/index.ts";
import { awsJsonAgent, awsJsonCall, rawSqlite, startSimulator } from "../support.ts";

const quick = process.argv.includes("--quick");
const MATCH_EVENTS = quick ? 100_000 : 500_000;
/** Issue 19's goal: pattern matching at 100,000 events/s or more per rule on one core, measured alone. */
const MATCH_GOAL = 100_000;
const PUT_CALLS = quick ? 500 : 2_000;
const WORKERS = 4;

const PATTERNS: object[] = [
  { source: ["shop"], "detail-type": ["OrderPlaced"] },
  { source: [{ prefix: "sh" }], detail: { country: [{ "anything-but": ["FR", "IT"] }] } },
  { detail: { total: [{ numeric: [">", 100, "<=", 1000] }] } },
  { detail: { coupon: [{ exists: true }] } },
  { detail: { ip: [{ cidr: "10.0.0.0/16" }] } },
  { detail: { sku: [{ wildcard: "A*-2*" }] } },
  { $or: [{ detail: { total: [{ numeric: [">", 900] }] } }, { detail: { country: ["JP"] } }] },
  { detail: { items: { qty: [{ numeric: [">=", 5] }] } } },
  { "detail-type": [{ "equals-ignore-case": "orderplaced" }], detail: { channel: [{ suffix: "web" }] } },
  { source: ["billing"] },
];

function eventOf(i: number): object {
  const countries = ["DE", "FR", "US", "JP", "IT"];
  return {
    version: "0",
    id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    "detail-type": i % 3 === 0 ? "OrderPlaced" : "OrderShipped",
    source: i % 7 === 0 ? "billing" : "shop",
    account: "000000000000",
    time: "2026-01-01T00:00:00Z",
    region: "us-east-1",
    resources: [],
    detail: {
      total: (i * 37) % 1200,
      country: countries[i % countries.length],
      ...(i % 4 === 0 ? { coupon: "X" } : {}),
      ip: `10.${i % 3}.${i % 250}.1`,
      sku: `A${i % 100}-2${i % 10}`,
      channel: i % 2 === 0 ? "mobile-web" : "app",
      items: [{ qty: i % 3 }, { qty: i % 9 }],
    },
  };
}

function perSecond(n: number, started: number): number {
  return (n / (performance.now() - started)) * 1000;
}

function matching(): void {
  const texts = Array.from({ length: 1000 }, (_, i) => JSON.stringify(eventOf(i)));
  const events = texts.map((t) => JSON.parse(t) as Record<string, any>);
  const run = (test: (e: unknown) => boolean) => {
    let hits = 0;
    const started = performance.now();
    for (let i = 0; i < MATCH_EVENTS; i++) if (test(events[i % events.length])) hits++;
    return { rate: perSecond(MATCH_EVENTS, started), hits };
  };
  const handWritten = run((e: any) => e.source === "shop" && e["detail-type"] === "OrderPlaced");
  let parsed = 0;
  const parseStart = performance.now();
  for (let i = 0; i < MATCH_EVENTS / 5; i++) parsed += JSON.parse(texts[i % texts.length]!) ? 1 : 0;
  const parseRate = perSecond(parsed, parseStart);
  console.log(`pattern matching, one core, ${MATCH_EVENTS.toLocaleString()} events per rule:`);
  PATTERNS.forEach((p, i) => {
    const r = run(compilePattern(p));
    // Issue 19's goal for each rule, beside its figure, and flagged when a rule falls short.
    const short = r.rate < MATCH_GOAL ? "  BELOW GOAL" : "";
    console.log(`  rule ${String(i + 1).padStart(2)}  ${Math.round(r.rate).toLocaleString().padStart(12)} events/s (goal ${MATCH_GOAL.toLocaleString("en-US")})${short}  (${((r.hits / MATCH_EVENTS) * 100).toFixed(0)}% match)  ${JSON.stringify(p).slice(0, 70)}`);
  });
  console.log(`  reference: hand-written predicate for rule 1  ${Math.round(handWritten.rate).toLocaleString()} events/s`);
  console.log(`  reference: JSON.parse of the same events      ${Math.round(parseRate).toLocaleString()} events/s`);
}

const call = (port: number, operation: string, input: unknown) => awsJsonCall(port, `AWSEvents.${operation}`, input, "application/x-amz-json-1.1");
const sqs = (port: number, op: string, input: unknown) => awsJsonCall(port, `AmazonSQS.${op}`, input);

async function throughApi(port: number): Promise<{ accepted: number; delivered: number; deliveries: number }> {
  for (let i = 0; i < PATTERNS.length; i++) {
    await sqs(port, "CreateQueue", { QueueName: `rule-${i + 1}` });
    await call(port, "PutRule", { Name: `rule-${i + 1}`, EventBusName: "bench", EventPattern: JSON.stringify(PATTERNS[i]) });
    await call(port, "PutTargets", { Rule: `rule-${i + 1}`, EventBusName: "bench", Targets: [{ Id: "q", Arn: `arn:aws:sqs:us-east-1:000000000000:rule-${i + 1}` }] });
  }
  // How many deliveries the run makes: each event times the rules it matches.
  const compiled = PATTERNS.map((p) => compilePattern(p));
  let deliveries = 0;
  for (let i = 0; i < PUT_CALLS * 10; i++) deliveries += compiled.filter((m) => m(eventOf(i))).length;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: WORKERS }, async () => {
      while (next < PUT_CALLS) {
        const call0 = next++;
        const Entries = Array.from({ length: 10 }, (_, k) => {
          const e = eventOf(call0 * 10 + k) as any;
          return { EventBusName: "bench", Source: e.source, DetailType: e["detail-type"], Detail: JSON.stringify(e.detail) };
        });
        const r = await call(port, "PutEvents", { Entries });
        if (r.FailedEntryCount !== 0) throw new Error(JSON.stringify(r.Entries));
      }
    }),
  );
  const accepted = perSecond(PUT_CALLS * 10, started);
  for (;;) {
    let n = 0;
    for (let i = 0; i < PATTERNS.length; i++) {
      const a = await sqs(port, "GetQueueAttributes", { QueueUrl: `http://127.0.0.1:${port}/000000000000/rule-${i + 1}`, AttributeNames: ["ApproximateNumberOfMessages"] });
      n += Number(a.Attributes.ApproximateNumberOfMessages);
    }
    if (n >= deliveries) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { accepted, delivered: perSecond(deliveries, started), deliveries };
}

function sqliteFloor(dir: string, perCall: number): number {
  const db = rawSqlite(join(dir, "floor.db"));
  db.exec("CREATE TABLE d (id INTEGER PRIMARY KEY, rule_arn TEXT, target TEXT, body TEXT, event TEXT, accepted_at INTEGER, attempts INTEGER DEFAULT 0, due_at INTEGER)");
  db.exec("CREATE INDEX d_due ON d (due_at)");
  const insert = db.prepare("INSERT INTO d (rule_arn, target, body, event, accepted_at, due_at) VALUES (?, ?, ?, ?, ?, ?)");
  const text = JSON.stringify(eventOf(1));
  const started = performance.now();
  for (let c = 0; c < PUT_CALLS; c++) {
    db.transaction(() => {
      for (let k = 0; k < perCall; k++) insert.run("arn:aws:events:us-east-1:000000000000:rule/bench/rule-1", '{"Id":"q","Arn":"arn:aws:sqs:us-east-1:000000000000:rule-1"}', text, text, c, c);
    })();
  }
  const rate = perSecond(PUT_CALLS * 10, started);
  db.close();
  return rate;
}

matching();
const dir = mkdtempSync(join(tmpdir(), "lambda-sim-bench-fanout-"));
try {
  writeFileSync(join(dir, "bench.yaml"), "buses:\n  bench: {}\n");
  const { child, port } = await startSimulator([], ["--config", join(dir, "bench.yaml"), "--state", join(dir, "state")]);
  try {
    const r = await throughApi(port);
    const floor = sqliteFloor(dir, Math.round(r.deliveries / PUT_CALLS));
    console.log(`PutEvents to a bus with 10 pattern rules (SQS targets), ${WORKERS} workers, ${(PUT_CALLS * 10).toLocaleString()} events → ${r.deliveries.toLocaleString()} deliveries:`);
    console.log(`  accepted (durable)   ${Math.round(r.accepted).toLocaleString().padStart(10)} events/s`);
    console.log(`  delivered end to end ${Math.round(r.delivered).toLocaleString().padStart(10)} deliveries/s`);
    console.log(`  reference: raw SQLite insert of the same delivery rows, one transaction per call  ${Math.round(floor).toLocaleString()} events/s`);
  } finally {
    child.kill("SIGKILL");
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  awsJsonAgent.destroy();
}
