// bench/sqs: messages per second through the SQS JSON protocol with the durable store (issue 4,
// part 1), beside the raw SQLite insert + select + delete rate measured in the same run.
//
//   node bench/sqs.ts [--quick]
//
// Each worker loops SendMessageBatch (10) → ReceiveMessage (10) → DeleteMessageBatch (10) against
// a simulator in its own process with a state directory (WAL, synchronous=NORMAL). The floor does
// the same three steps straight on SQLite with the same settings, in this process.
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSimulator } from "./support.ts";

const quick = process.argv.includes("--quick");
const ROUNDS = quick ? 500 : 2_000;
const WORKERS = 4;
const agent = new Agent({ keepAlive: true, maxSockets: 16 });

function call(port: number, operation: string, input: unknown): Promise<any> {
  const body = Buffer.from(JSON.stringify(input));
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path: "/",
        method: "POST",
        agent,
        headers: { "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": `AmazonSQS.${operation}`, "Content-Length": body.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString();
          if (res.statusCode !== 200) reject(new Error(`${operation}: ${res.statusCode} ${text}`));
          else resolve(JSON.parse(text));
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

async function throughApi(port: number): Promise<number> {
  const { QueueUrl } = await call(port, "CreateQueue", { QueueName: "bench" });
  let moved = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: WORKERS }, async (_, w) => {
      for (let r = 0; r < ROUNDS / WORKERS; r++) {
        const Entries = Array.from({ length: 10 }, (_, i) => ({ Id: `m${i}`, MessageBody: `{"worker":${w},"round":${r},"i":${i}}` }));
        await call(port, "SendMessageBatch", { QueueUrl, Entries });
        const got = await call(port, "ReceiveMessage", { QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 30 });
        const messages: { ReceiptHandle: string }[] = got.Messages ?? [];
        if (messages.length > 0) {
          await call(port, "DeleteMessageBatch", { QueueUrl, Entries: messages.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })) });
        }
        moved += messages.length;
      }
    }),
  );
  return (moved / (performance.now() - started)) * 1000;
}

function sqliteFloor(dir: string): number {
  const Database = createRequire(new URL("../packages/core/package.json", import.meta.url))("better-sqlite3");
  const db = new Database(join(dir, "floor.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec("CREATE TABLE m (seq INTEGER PRIMARY KEY AUTOINCREMENT, queue TEXT, body TEXT, visible_at INTEGER, handle TEXT)");
  db.exec("CREATE INDEX m_vis ON m (queue, visible_at, seq)");
  const insert = db.prepare("INSERT INTO m (queue, body, visible_at) VALUES ('q', ?, 0)");
  const select = db.prepare("SELECT seq FROM m WHERE queue = 'q' AND visible_at <= ? ORDER BY seq LIMIT 10");
  const hide = db.prepare("UPDATE m SET visible_at = ?, handle = ? WHERE seq = ?");
  const del = db.prepare("DELETE FROM m WHERE seq = ?");
  const started = performance.now();
  let moved = 0;
  for (let r = 0; r < ROUNDS; r++) {
    db.transaction(() => {
      for (let i = 0; i < 10; i++) insert.run(`{"round":${r},"i":${i}}`);
    })();
    const rows = db.transaction(() => {
      const rs = select.all(r) as { seq: number }[];
      for (const row of rs) hide.run(r + 30_000, `h${row.seq}`, row.seq);
      return rs;
    })();
    db.transaction(() => {
      for (const row of rows) del.run(row.seq);
    })();
    moved += rows.length;
  }
  const rate = (moved / (performance.now() - started)) * 1000;
  db.close();
  return rate;
}

const dir = mkdtempSync(join(tmpdir(), "lambda-sim-bench-sqs-"));
const sim = await startSimulator([], ["--state", join(dir, "state")]);
try {
  const api = await throughApi(sim.port);
  const floor = sqliteFloor(dir);
  console.log(`node ${process.version}: ${ROUNDS} rounds of send 10 / receive 10 / delete 10, ${WORKERS} workers`);
  console.log(`through the SQS JSON API (durable store): ${api.toFixed(0)} messages/s   (goal ≥ 5,000)`);
  console.log(`raw SQLite insert + select + delete:       ${floor.toFixed(0)} messages/s   (floor; ratio ${(floor / api).toFixed(1)}x)`);
} finally {
  sim.child.kill("SIGTERM");
  agent.destroy();
  rmSync(dir, { recursive: true, force: true });
}
