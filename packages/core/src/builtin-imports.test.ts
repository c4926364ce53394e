import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// Issue 16 (idle RSS): an ES `import { createServer } from "node:http"` builds node:http's module
// namespace, and building it reads http's lazy `WebSocket`, `CloseEvent` and `MessageEvent`
// exports, which load undici, fetch's whole HTTP client: ~2 MB of a lambda-sim server's idle RSS
// (14 MB in a bare node process), for nothing the server uses. node:http2 (TLS, nghttp2) is loaded
// at the first HTTP/2 connection (DualProtocolServer). So the product code takes their CommonJS
// exports, `const { createServer } = process.getBuiltinModule("node:http")`, which reads no
// getter; type-only imports are erased and fine. Tests and benchmarks may import them as they like.

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const VALUE_IMPORT = /^\s*import\s+(?!type\b)[^;]*?\bfrom\s*["'](?:node:)?(http2?)["']/m;

function productFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" || e.name === "testing" ? [] : productFiles(path);
    return e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") ? [path] : [];
  });
}

describe("node:http and node:http2 are never imported as ES modules by the simulator's code", () => {
  it("every package's src/ takes them with process.getBuiltinModule, or imports types only", () => {
    const offenders = ["core", "sources", "cli"].flatMap((p) =>
      productFiles(join(ROOT, "packages", p, "src")).flatMap((file) => {
        const m = VALUE_IMPORT.exec(readFileSync(file, "utf8"));
        return m ? [`${relative(ROOT, file).split(sep).join("/")}: imports node:${m[1]} (use process.getBuiltinModule("node:${m[1]}"))`] : [];
      }),
    );
    expect(offenders).toEqual([]);
  });
});
