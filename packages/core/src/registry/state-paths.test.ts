import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { StatePaths } from "./state-paths.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function stateDir(): string {
  const d = mkdtempSync(join(tmpdir(), "state-paths-"));
  dirs.push(d);
  return d;
}

describe("StatePaths", () => {
  it("stores a directory inside the state directory relative to it, and anything else absolute", () => {
    const state = stateDir();
    const paths = new StatePaths(state);
    expect(paths.stored(join(state, "code", "fn", "published-ab"))).toBe(join("code", "fn", "published-ab"));
    expect(paths.stored("/home/me/project/src")).toBe("/home/me/project/src");
    expect(paths.stored(join(state, "..", "sibling"))).toBe(join(state, "..", "sibling"));
    expect(paths.resolved(join("code", "fn", "published-ab"))).toBe(join(state, "code", "fn", "published-ab"));
  });

  it("keeps an absolute row that exists, and re-bases one that does not onto the state directory", () => {
    const state = stateDir();
    const elsewhere = stateDir();
    const paths = new StatePaths(state);
    mkdirSync(join(state, "code", ".layers", "common", "published-cd"), { recursive: true });
    mkdirSync(join(state, "template-code", "zip", "Fn", "ef"), { recursive: true });
    // Written by an earlier lambda-sim while the project was at /old/shop.
    expect(paths.resolved("/old/shop/.lambda-sim/code/.layers/common/published-cd")).toBe(join(state, "code", ".layers", "common", "published-cd"));
    expect(paths.resolved("/old/shop/.lambda-sim/template-code/zip/Fn/ef")).toBe(join(state, "template-code", "zip", "Fn", "ef"));
    // Gone everywhere: left as it was (the invocation then names it as missing).
    expect(paths.resolved("/old/shop/.lambda-sim/code/fn/published-00")).toBe("/old/shop/.lambda-sim/code/fn/published-00");
    expect(paths.resolved(elsewhere)).toBe(elsewhere);
  });

  it("maps a function version's code, layer and /opt directories", () => {
    const state = stateDir();
    const paths = new StatePaths(state);
    const config = { codeDir: join(state, "code", "fn", "ab"), optDir: join(state, "code", ".opt", "k"), layers: [{ arn: "arn", codeSize: 1, unzippedSize: 1, dir: join(state, "code", ".layers", "l", "cd") }] };
    const stored = paths.storedConfig(config as never);
    expect(stored).toMatchObject({ codeDir: join("code", "fn", "ab"), optDir: join("code", ".opt", "k"), layers: [{ dir: join("code", ".layers", "l", "cd") }] });
    expect(paths.loadedConfig(stored)).toMatchObject(config);
  });
});
