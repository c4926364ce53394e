import { isAbsolute, relative, resolve, sep } from "node:path";
import { refreshDeclaredCode, stopwatch, type Simulator, type TimerHandle } from "@lambda-sim/core";
import { BuildError, buildOf } from "../config/esbuild-function.ts";

/** Wall time a burst of file events (a save, a `git checkout`) is gathered for before the code is read again. */
const SETTLE_MS = 150;
/** Folders never watched: their churn is not the function's own code (an npm install there shows at the next edit or restart). */
const NEVER_WATCHED = new Set(["node_modules", ".git", "__pycache__", ".lambda-sim", ".aws-sam"]);

/** What a watched folder is: the functions that run from it, and how a change reaches them. */
interface Watched {
  folder: string;
  /** Its functions; one with `build: esbuild` has its own build, run again first. */
  functions: { name: string; rebuild?: () => Promise<string> }[];
}

/**
 * `lambda-sim start --watch`: a save in a declared function's folder (or, for a built one, in its
 * sources) is deployed as `sam sync --watch` deploys it: the folder is read again and, when its
 * files changed, $LATEST gets the new CodeSha256, its warm environments are replaced and the next
 * invocation cold-starts with the edited code (refreshDeclaredCode). `afterChange` runs what a
 * deploy runs on top (a template's AutoPublishAlias publishing and moving its alias). Zipped and
 * inline code are read at start only; so are layers.
 */
export class CodeWatcher {
  private readonly sim: Simulator;
  private readonly say: (line: string) => void;
  private readonly afterChange: (functionName: string) => Promise<void>;
  private readonly watched: Watched[];
  /** The template / lambda-sim.yaml the simulator was started from: read at start only. */
  private readonly configFiles: string[];
  private configSaved = new Set<string>();
  /** Functions whose last build failed: a fix that builds the running code again is said too (newuser11 N1-12). */
  private readonly failedBuilds = new Set<string>();
  private readonly dirty = new Set<Watched>();
  private timer: TimerHandle | undefined;
  private running: Promise<void> = Promise.resolve();
  private closed = false;
  private watcher: import("chokidar").FSWatcher | undefined;

  constructor(sim: Simulator, opts: { say: (line: string) => void; afterChange: (functionName: string) => Promise<void>; readOnly: readonly string[]; configFiles?: readonly string[] }) {
    this.sim = sim;
    this.say = opts.say;
    this.afterChange = opts.afterChange;
    this.watched = watchedFolders(sim, opts.readOnly);
    this.configFiles = (opts.configFiles ?? []).map((f) => resolve(f));
  }

  /** The folders watched, for the banner. */
  get folders(): string[] {
    return this.watched.map((w) => w.folder);
  }

  /** Resolves once the folders are watched. */
  async start(): Promise<void> {
    if (this.watched.length === 0 && this.configFiles.length === 0) return;
    const { watch } = await import("chokidar");
    // Names matched below the watched folder only: a project that itself sits under a folder of
    // such a name (…/node_modules/app) is still watched (review20 R20-4).
    const leftOut = (p: string) => {
      const w = this.watched.find((x) => inside(x.folder, p));
      const below = w === undefined ? p : relative(w.folder, p);
      return below.split(sep).some((part) => NEVER_WATCHED.has(part)) || this.sim.registry.code.leftOut(p);
    };
    this.watcher = watch([...this.folders, ...this.configFiles], { ignoreInitial: true, ignored: (p) => !this.configFiles.includes(resolve(p)) && leftOut(p) });
    this.watcher.on("all", (_event, path) => this.changed(path));
    this.watcher.on("error", (e) => this.say(`watch: ${(e as Error).message}`));
    await new Promise<void>((ready) => this.watcher!.once("ready", ready));
  }

  /** Stops watching; a reload under way finishes first (a rebuild must not land on a closing simulator, review20 R20-3). */
  async close(): Promise<void> {
    this.closed = true;
    this.timer?.cancel();
    await this.watcher?.close();
    await this.running;
  }

  private changed(path: string): void {
    // A template or lambda-sim.yaml is applied at start only (unlike `sam sync --watch`, which
    // redeploys a template): said, so that what runs is not taken for what was saved (newuser11 N1-1).
    if (this.configFiles.includes(resolve(path))) this.configSaved.add(resolve(path));
    for (const w of this.watched) if (inside(w.folder, path)) this.dirty.add(w);
    this.timer?.cancel();
    this.timer = stopwatch.after(SETTLE_MS, () => {
      // One reload at a time: a save during a build waits for it; one that fails does not stop the next.
      this.running = this.running.then(() => this.reload()).catch((e: Error) => this.say(`watch: ${e.message}`));
    });
  }

  private async reload(): Promise<void> {
    for (const file of this.configSaved) this.say(`watch: ${file} changed: it is read at start only (a save deploys function code, not configuration); restart lambda-sim to apply it`);
    this.configSaved.clear();
    const due = [...this.dirty];
    this.dirty.clear();
    for (const w of due) {
      for (const { name, rebuild } of w.functions) {
        if (this.closed) return;
        // Each function on its own, as `sam sync --watch` builds and syncs each: one's failed build
        // leaves the folder's others to be deployed (review21 R21-7).
        try {
          await rebuild?.();
        } catch (e) {
          // The function keeps its last good build, as a failed `sam build` leaves the deployed one.
          this.say(`watch: ${name} not rebuilt (the running code stays):\n${e instanceof BuildError ? e.lines.join("\n") : (e as Error).message}`);
          this.failedBuilds.add(name);
          continue;
        }
        const fixed = rebuild !== undefined && this.failedBuilds.delete(name);
        if (this.closed) return;
        let changed: boolean;
        try {
          changed = refreshDeclaredCode(this.sim.registry, name);
        } catch (e) {
          this.say(`watch: ${name}: its folder could not be read (${(e as Error).message}); the running code stays`);
          continue;
        }
        if (!changed) {
          if (fixed) this.say(`watch: ${name} rebuilt: the same as the running code, which stays`);
          continue;
        }
        this.say(`watch: ${name}'s code changed (CodeSha256 ${this.sim.registry.get(name).latest.codeSha256}): its warm environments are replaced; the next invocation starts with it`);
        await this.afterChange(name).catch((e: Error) => this.say(`watch: ${name}: ${e.message}`));
      }
    }
  }
}

/**
 * The folders the declared functions run from in place, or are built from, each with its
 * functions. `readOnly` roots hold code unpacked by lambda-sim (a zip, inline code), which no one
 * edits: read at start only.
 */
function watchedFolders(sim: Simulator, readOnly: readonly string[]): Watched[] {
  const byFolder = new Map<string, Watched>();
  for (const rec of sim.registry.list()) {
    if (rec.source !== "config" || rec.latest.runtime === "model") continue;
    const build = buildOf(rec.latest.codeDir);
    const folder = resolve(build?.sourceDir ?? rec.latest.codeDir);
    if (build === undefined && readOnly.some((root) => inside(resolve(root), folder))) continue;
    const w = byFolder.get(folder) ?? { folder, functions: [] };
    // Each built function of the folder has its own build (review20 R20-2: only the first was redone).
    w.functions.push({ name: rec.name, rebuild: build?.rebuild });
    byFolder.set(folder, w);
  }
  return [...byFolder.values()];
}

function inside(folder: string, path: string): boolean {
  const r = relative(folder, path);
  return r === "" || (!r.startsWith("..") && !isAbsolute(r));
}
