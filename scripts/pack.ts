// Packs lambda-sim as one installable npm package (`npm run pack`): the three workspace packages
// compiled to JavaScript in their own layout (Node strips no types under node_modules, and
// bootstrap/ and the SQL migrations are found beside the code), @lambda-sim/* imports made
// relative, and the external dependencies of all three declared once. Prints the tarball's path.
//   node scripts/pack.ts [--out DIR]
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
// Every workspace package goes in (core, sources, cli, aws-sdk-js: the SDK clients handlers get).
const PACKAGES = readdirSync(join(ROOT, "packages")).filter((p) => existsSync(join(ROOT, "packages", p, "package.json")));
const outArg = process.argv.indexOf("--out");
const OUT = outArg > 0 ? process.argv[outArg + 1]! : join(ROOT, "dist");
const STAGE = join(OUT, "lambda-sim");

type Manifest = { version: string; description?: string; dependencies?: Record<string, string> };
const manifest = (p: string): Manifest => JSON.parse(readFileSync(join(ROOT, p, "package.json"), "utf8")) as Manifest;

rmSync(STAGE, { recursive: true, force: true });
mkdirSync(STAGE, { recursive: true });

// 1. TypeScript to JavaScript, file for file (tests and core's test helpers stay behind).
const tsconfig = join(OUT, "tsconfig.pack.json");
writeFileSync(
  tsconfig,
  JSON.stringify({
    extends: join(ROOT, "tsconfig.base.json"),
    compilerOptions: { noEmit: false, rewriteRelativeImportExtensions: true, outDir: join(STAGE, "packages"), rootDir: join(ROOT, "packages"), typeRoots: [join(ROOT, "node_modules/@types")] },
    include: [join(ROOT, "packages/*/src/**/*.ts")],
    exclude: [join(ROOT, "packages/*/src/**/*.test.ts"), join(ROOT, "packages/core/src/testing/**")],
  }),
);
execFileSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", tsconfig], { stdio: "inherit" });
rmSync(tsconfig);

// 2. Everything else the code reads at run time: manifests, migrations, the runtimes' bootstraps
//    (Node, Python), the bin. Tests, their fixtures and caches stay behind.
const SKIP_DIRS = new Set(["fixtures", "testing", "node_modules", "__pycache__", "tests"]);
const copyTree = (from: string, to: string, keep: (file: string) => boolean) => {
  if (!existsSync(from)) return;
  for (const name of readdirSync(from)) {
    const src = join(from, name);
    if (statSync(src).isDirectory()) {
      if (!SKIP_DIRS.has(name)) copyTree(src, join(to, name), keep);
    } else if (keep(name)) {
      mkdirSync(to, { recursive: true });
      cpSync(src, join(to, name));
    }
  }
};
const notTest = (f: string) => !/[._-]test\.\w+$|^test_.*\.py$/.test(f);
for (const p of PACKAGES) {
  const from = join(ROOT, "packages", p);
  const to = join(STAGE, "packages", p);
  mkdirSync(to, { recursive: true });
  cpSync(join(from, "package.json"), join(to, "package.json"));
  copyTree(join(from, "src"), join(to, "src"), (f) => !f.endsWith(".ts"));
  copyTree(join(from, "bootstrap"), join(to, "bootstrap"), (f) => /\.(mjs|py)$/.test(f) && notTest(f));
  copyTree(join(from, "bin"), join(to, "bin"), (f) => f.endsWith(".js"));
}
cpSync(join(ROOT, "README.md"), join(STAGE, "README.md"));

// 3. `@lambda-sim/NAME[/sub/path]` specifiers (imports, and resolve() of a manifest) become
//    relative paths: NAME alone is the package's main export, a subpath its export or its file.
const target = (pkg: string, sub: string | undefined): string => {
  const exports = (JSON.parse(readFileSync(join(ROOT, "packages", pkg, "package.json"), "utf8")) as { exports?: Record<string, string> }).exports;
  // A subpath the package exports (`@lambda-sim/core/sim-token`) is its compiled file; any other is a file path.
  const subExport = sub === undefined ? undefined : exports?.[`./${sub}`];
  if (subExport !== undefined) return join(STAGE, "packages", pkg, subExport.replace(/\.ts$/, ".js"));
  if (sub !== undefined) return join(STAGE, "packages", pkg, sub);
  const exported = exports?.["."];
  if (exported === undefined) throw new Error(`@lambda-sim/${pkg} has no main export`);
  return join(STAGE, "packages", pkg, exported.replace(/\.ts$/, ".js"));
};
const rewrite = (dir: string) => {
  for (const name of readdirSync(dir)) {
    const file = join(dir, name);
    if (statSync(file).isDirectory()) rewrite(file);
    else if (name.endsWith(".js")) {
      const text = readFileSync(file, "utf8");
      const out = text.replace(/(from\s+|import\s*\(\s*|resolve\(\s*)"@lambda-sim\/([\w-]+)(?:\/([\w./-]+))?"/g, (m, lead: string, pkg: string, sub: string | undefined) => {
        if (!PACKAGES.includes(pkg)) return m;
        const rel = relative(dirname(file), target(pkg, sub));
        return `${lead}"${rel.startsWith(".") ? rel : `./${rel}`}"`;
      });
      if (/(from\s+|import\s*\(\s*|resolve\(\s*)["']@lambda-sim\//.test(out)) throw new Error(`${file}: an @lambda-sim specifier left that pack.ts cannot rewrite`);
      if (out !== text) writeFileSync(file, out);
    }
  }
};
rewrite(join(STAGE, "packages"));

// 4. One manifest: the external dependencies of the three, and Node 24 for machines with an older one.
const dependencies: Record<string, string> = {};
for (const p of PACKAGES) {
  for (const [name, range] of Object.entries(manifest(`packages/${p}`).dependencies ?? {})) {
    if (!name.startsWith("@lambda-sim/")) dependencies[name] = range;
  }
}
const root = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { devDependencies: Record<string, string> };
dependencies.node = root.devDependencies.node!;
const cli = manifest("packages/cli");
writeFileSync(
  join(STAGE, "package.json"),
  JSON.stringify(
    {
      name: "lambda-sim",
      version: cli.version,
      description: "A local simulator of AWS Lambda and its event sources (SQS, Kinesis, schedules): real processes, real SQLite, real AWS wire protocols.",
      type: "module",
      bin: { "lambda-sim": "packages/cli/bin/lambda-sim.js" },
      files: ["packages", "README.md"],
      dependencies: Object.fromEntries(Object.entries(dependencies).sort(([a], [b]) => a.localeCompare(b))),
    },
    null,
    2,
  ) + "\n",
);

const packed = execFileSync("npm", ["pack", "--silent", "--pack-destination", OUT], { cwd: STAGE, encoding: "utf8" }).trim().split("\n").pop()!;
process.stdout.write(`${join(OUT, packed)}\n`);
