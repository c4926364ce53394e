import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// Source.start (core source.ts): one source object serves every Simulator of a process, so what a
// start sets up lives in that start (its closure, its handle, SourceContext.share), never in a
// module variable keyed by a simulator's services (issue 12: the WeakMaps keyed by the Store and
// the router). Caches of pure computations (keyed by a cron expression, a message) are fine.

const ROOT = fileURLToPath(new URL("./", import.meta.url));
const PER_SIMULATOR = "Store|AwsRouter|SourceContext|Clock|Telemetry|Invoker|Rng";
const MODULE_STATE = new RegExp(`^(?:(?:export\\s+)?(?:const|let)\\s+\\w+|\\s+(?:private\\s+|public\\s+)?static\\s+(?:readonly\\s+)?\\w+)\\s*=\\s*new\\s+(?:Weak)?Map<\\s*(?:${PER_SIMULATOR})\\b`, "m");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") ? [join(dir, e.name)] : []));
}

describe("per-simulator state in sources", () => {
  it("is never held in a module variable keyed by a simulator's services", () => {
    const found = sourceFiles(ROOT).filter((f) => MODULE_STATE.test(readFileSync(f, "utf8"))).map((f) => relative(ROOT, f));
    expect(found).toEqual([]);
  });

  it("recognises the pattern", () => {
    expect(MODULE_STATE.test("const registered = new WeakMap<AwsRouter, Operations>();")).toBe(true);
    expect(MODULE_STATE.test("  private static readonly byStore = new WeakMap<Store, QueueActivity>();")).toBe(true);
    expect(MODULE_STATE.test("const daysCache = new WeakMap<CronFields, Map<number, number[]>>();")).toBe(false);
  });
});
