import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CodeStore } from "./code-store.ts";
import { snapshotDirectory } from "./code-snapshot.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function scratch(): string {
  const d = mkdtempSync(join(tmpdir(), "code-snapshot-"));
  dirs.push(d);
  return d;
}

describe("snapshotDirectory (a published version's copy of a code folder)", () => {
  it("copies files, modes and links; a second snapshot shares the unchanged files with the first and copies the edited ones", () => {
    const root = scratch();
    const src = join(root, "src");
    mkdirSync(join(src, "node_modules", "dep"), { recursive: true });
    writeFileSync(join(src, "index.mjs"), "v1");
    writeFileSync(join(src, "node_modules", "dep", "big.js"), "x".repeat(100_000));
    writeFileSync(join(src, "bootstrap"), "#!/bin/sh\n", { mode: 0o755 });
    symlinkSync("index.mjs", join(src, "alias.mjs"));
    symlinkSync("../outside", join(src, "workspace-pkg"));
    mkdirSync(join(src, ".lambda-sim", "code"), { recursive: true });
    writeFileSync(join(src, ".lambda-sim", "db.sqlite"), "state");

    const first = join(root, "v1");
    const cost1 = snapshotDirectory(src, first, { skip: (p) => p === join(src, ".lambda-sim") });
    expect(cost1).toEqual({ copiedFiles: 3, copiedBytes: 100_000 + 2 + 10, linkedFiles: 0 });
    expect(readFileSync(join(first, "index.mjs"), "utf8")).toBe("v1");
    expect(statSync(join(first, "bootstrap")).mode & 0o777).toBe(0o755);
    expect(readlinkSync(join(first, "alias.mjs"))).toBe("index.mjs"); // within the folder: as written
    expect(readlinkSync(join(first, "workspace-pkg"))).toBe(join(root, "outside")); // leaving it: absolute
    expect(existsSync(join(first, ".lambda-sim"))).toBe(false);

    // The folder edited the usual ways: rewritten in place, and replaced.
    writeFileSync(join(src, "index.mjs"), "v2");
    utimesSync(join(src, "index.mjs"), new Date(), new Date(Date.now() + 5_000));
    const second = join(root, "v2");
    const cost2 = snapshotDirectory(src, second, { previous: first, skip: (p) => p === join(src, ".lambda-sim") });
    expect(cost2).toEqual({ copiedFiles: 1, copiedBytes: 2, linkedFiles: 2 });
    expect(readFileSync(join(second, "index.mjs"), "utf8")).toBe("v2");
    expect(readFileSync(join(first, "index.mjs"), "utf8")).toBe("v1");
    expect(lstatSync(join(second, "node_modules", "dep", "big.js")).ino).toBe(lstatSync(join(first, "node_modules", "dep", "big.js")).ino);
    // The source's own files are never linked: editing them in place leaves both copies alone.
    writeFileSync(join(src, "node_modules", "dep", "big.js"), "edited in place");
    expect(readFileSync(join(second, "node_modules", "dep", "big.js"), "utf8")).toBe("x".repeat(100_000));
  });

  it("makes a link written absolute into the folder relative, so the copy does not follow the live folder", () => {
    const root = scratch();
    const src = join(root, "src");
    mkdirSync(join(src, "lib"), { recursive: true });
    writeFileSync(join(src, "lib", "util.mjs"), "v1");
    symlinkSync(join(src, "lib", "util.mjs"), join(src, "util.mjs"));
    const copy = join(root, "v1");
    snapshotDirectory(src, copy);
    expect(readlinkSync(join(copy, "util.mjs"))).toBe(join("lib", "util.mjs"));
    writeFileSync(join(src, "lib", "util.mjs"), "v2");
    expect(readFileSync(join(copy, "util.mjs"), "utf8")).toBe("v1");
  });

  it("leaves out exactly the state directory: a folder that holds it is code, copied with the rest", () => {
    const project = scratch();
    mkdirSync(join(project, "build", ".lambda-sim", "code"), { recursive: true });
    writeFileSync(join(project, "package.json"), "{}");
    writeFileSync(join(project, "build", "index.mjs"), "export const handler = () => 1;");
    writeFileSync(join(project, "build", ".lambda-sim", "db.sqlite"), "state");
    const store = new CodeStore(join(project, "build", ".lambda-sim", "code"));
    const copy = store.snapshot("fn", project, Buffer.from("sha").toString("base64"));
    expect(readFileSync(join(copy, "build", "index.mjs"), "utf8")).toBe("export const handler = () => 1;");
    expect(existsSync(join(copy, "build", ".lambda-sim"))).toBe(false);
  });
});
