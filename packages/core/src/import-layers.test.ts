import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// Issue 12: core's folders form layers, and imports point down. The lower layers (time, storage,
// configuration, the registry, the Runtime API, the protocols, telemetry) know nothing of
// invocation or event-source mappings, which build on them; the top (the APIs, start-up, the
// /_sim surface) wires everything together. And no module imports itself through others: an
// import cycle leaves one module's exports undefined while the other first runs.
//
// Value imports only: `import type` is erased before anything runs, and the telemetry event
// schema names types from every layer (a fault's kind). Dynamic `import()` is lazy, so no cycle.

const CORE = fileURLToPath(new URL("./", import.meta.url));
const SOURCES = fileURLToPath(new URL("../../sources/src/", import.meta.url));

/** Core's folders (and top-level files), bottom layer first. A module may import from its own layer or below. */
const LAYERS: readonly (readonly string[])[] = [
  ["clock", "random", "text", "errors", "patterns"],
  ["store"],
  ["config", "registry", "function-urls"],
  ["runtime", "protocols", "telemetry"],
  ["invocation", "faults"],
  ["mappings"],
  ["api", "sim-api", "startup", "testing", "source.ts", "simulator.ts", "index.ts"],
];

interface Import {
  from: string;
  to: string;
  line: number;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return e.name === "node_modules" ? [] : sourceFiles(join(dir, e.name));
    return e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") && !e.name.endsWith(".d.ts") ? [join(dir, e.name)] : [];
  });
}

const STATIC = /^[ \t]*(?:import|export)\s+(type\s+)?([^;]*?)\s*from\s*["'](\.[^"']*)["']|^[ \t]*import\s*["'](\.[^"']*)["']/gm;

/** The relative value imports of every module under `root` (paths relative to `root`). */
export function valueImports(root: string): Import[] {
  const out: Import[] = [];
  for (const file of sourceFiles(root)) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(STATIC)) {
      const names = m[2]?.trim() ?? "";
      // `import type {…}`, or braces holding only `type X` specifiers.
      const typeOnly = m[1] !== undefined || (/^\{[^}]*\}$/.test(names) && names.slice(1, -1).split(",").map((s) => s.trim()).filter((s) => s !== "").every((s) => s.startsWith("type ")));
      if (typeOnly) continue;
      const target = resolve(dirname(file), m[3] ?? m[4]!);
      out.push({ from: relative(root, file).split(sep).join("/"), to: relative(root, target).split(sep).join("/"), line: text.slice(0, m.index).split("\n").length });
    }
  }
  return out;
}

const layerOf = (path: string) => LAYERS.findIndex((l) => l.includes(path.split("/")[0]!));

/** Every cycle among the modules (Tarjan's strongly connected components with more than one module). */
export function importCycles(imports: readonly Import[]): string[][] {
  const edges = new Map<string, string[]>();
  for (const i of imports) edges.set(i.from, [...(edges.get(i.from) ?? []), i.to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

describe("import direction and cycles", () => {
  it("places every core folder in a layer", () => {
    const unplaced = [...new Set(sourceFiles(CORE).map((f) => relative(CORE, f).split(sep)[0]!))].filter((top) => layerOf(top) < 0);
    expect(unplaced).toEqual([]);
  });

  it("has no value import in core from a higher layer", () => {
    const upward = valueImports(CORE)
      .filter((i) => layerOf(i.to) > layerOf(i.from))
      .map((i) => `${i.from}:${i.line} imports ${i.to}`);
    expect(upward).toEqual([]);
  });

  it.each([
    ["core", CORE],
    ["sources", SOURCES],
  ])("has no import cycle in %s", (_name, root) => {
    expect(importCycles(valueImports(root))).toEqual([]);
  });

  it("finds an upward import and a cycle when there is one", () => {
    const imports = [
      { from: "runtime/a.ts", to: "invocation/b.ts", line: 1 },
      { from: "invocation/b.ts", to: "runtime/a.ts", line: 1 },
    ];
    expect(imports.filter((i) => layerOf(i.to) > layerOf(i.from))).toHaveLength(1);
    expect(importCycles(imports)).toEqual([["invocation/b.ts", "runtime/a.ts"]]);
  });
});
