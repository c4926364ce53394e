import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { onPath } from "./host-command.ts";

/** The interpreter that runs the python3.x runtimes on this machine, as probed once. */
export interface PythonInterpreter {
  /** The real executable (sys.executable), not a pyenv or asdf shim: a shim costs ~300 ms per start. */
  executable: string;
  /** `3.11.7` */
  version: string;
  /** How it was chosen, for the start-up warning: `LAMBDA_SIM_PYTHON`, `python3.13` or `python3`. */
  source: string;
  /**
   * Where boto3 comes from when the interpreter cannot import it itself: the site directory of
   * another python3 on this machine that has boto3 (AWS's runtimes ship boto3 the same way, outside
   * the function's code). Undefined when the interpreter has its own, or none is found.
   */
  boto3Dir?: string;
  /** Whether handlers can `import boto3` with no packaging. */
  hasBoto3: boolean;
}

// One line of JSON: where the interpreter really is, its version, and where its boto3 lives.
// find_spec does not import boto3 (importing botocore takes ~100 ms).
const PROBE =
  "import sys, json, importlib.util as u\n" +
  "s = u.find_spec('boto3')\n" +
  "print(json.dumps({'executable': sys.executable, 'version': '%d.%d.%d' % sys.version_info[:3], 'boto3': s.submodule_search_locations[0] if s and s.submodule_search_locations else None}))";

interface Probe {
  executable: string;
  version: string;
  boto3: string | null;
}

const probes = new Map<string, Probe | undefined>();

function probe(command: string): Probe | undefined {
  if (probes.has(command)) return probes.get(command);
  // Looked up first: starting a missing command through a shell or a shim costs far more.
  const path = onPath(command);
  const r = path === undefined ? undefined : spawnSync(path, ["-c", PROBE], { encoding: "utf8", timeout: 10_000 });
  let found: Probe | undefined;
  if (r?.status === 0) {
    try {
      found = JSON.parse(r.stdout.trim().split("\n").pop() ?? "") as Probe;
    } catch {
      found = undefined;
    }
  }
  probes.set(command, found);
  return found;
}

const chosen = new Map<string, PythonInterpreter | undefined>();

/**
 * The interpreter for `runtime` (python3.12, ...): `LAMBDA_SIM_PYTHON` if set; else
 * `python3.<minor>` on PATH when the machine has the runtime's exact version; else the newest
 * pyenv installation of that version; else `python3` on PATH, whatever its version. Undefined when there is none. Probed once per runtime (and value of
 * LAMBDA_SIM_PYTHON).
 */
export function pythonInterpreter(runtime: string): PythonInterpreter | undefined {
  const explicit = process.env.LAMBDA_SIM_PYTHON;
  const key = `${runtime}\0${explicit ?? ""}`;
  if (chosen.has(key)) return chosen.get(key);
  const pyenv = pyenvInstallation(runtime);
  // pyenv's `python3.12` on PATH is a shim (a shell script, ~100 ms a run) that refuses when
  // another version is selected: its installation, the same interpreter, is asked first.
  const shim = pyenv !== undefined && onPath(runtime)?.startsWith(`${pyenvRoot()}/shims/`) === true;
  const candidates = explicit ? [explicit] : shim ? [pyenv!, runtime, "python3"] : [runtime, ...(pyenv ? [pyenv] : []), "python3"];
  let result: PythonInterpreter | undefined;
  for (const command of candidates) {
    const p = probe(command);
    if (p === undefined) continue;
    result = { executable: p.executable, version: p.version, source: explicit ? "LAMBDA_SIM_PYTHON" : command === pyenv ? "pyenv" : command, hasBoto3: p.boto3 !== null };
    if (p.boto3 === null) {
      // AWS's runtimes provide boto3 outside the code: borrow the first one the machine has.
      for (const other of ["python3", "/usr/bin/python3", "/usr/local/bin/python3"]) {
        const dir = probe(other)?.boto3;
        if (dir) {
          result.boto3Dir = dir.replace(/\/boto3\/?$/, "");
          result.hasBoto3 = true;
          break;
        }
      }
    }
    break;
  }
  chosen.set(key, result);
  return result;
}

/**
 * The newest pyenv installation of the runtime's version (`$PYENV_ROOT/versions/3.12.*`), whether
 * or not it is the active one: with pyenv, `python3.12` on PATH is a shim that refuses to run when
 * another version is selected.
 */
function pyenvInstallation(runtime: string): string | undefined {
  const minor = pythonRuntimeVersion(runtime);
  const versions = join(pyenvRoot(), "versions");
  let names: string[];
  try {
    names = readdirSync(versions);
  } catch {
    return undefined;
  }
  const patch = (v: string) => Number(v.slice(minor.length + 1));
  const found = names.filter((v) => v.startsWith(`${minor}.`) && /^\d+$/.test(v.slice(minor.length + 1))).sort((a, b) => patch(b) - patch(a));
  for (const v of found) {
    const executable = join(versions, v, "bin", runtime);
    if (existsSync(executable)) return executable;
  }
  return undefined;
}

function pyenvRoot(): string {
  return process.env.PYENV_ROOT ?? join(homedir(), ".pyenv");
}

/** `python3.12` → `3.12`. */
export function pythonRuntimeVersion(runtime: string): string {
  return runtime.replace(/^python/, "");
}

/** The interpreter's `major.minor`, as a runtime names its version: `3.11.7` → `3.11`. */
export function interpreterMinorVersion(py: PythonInterpreter): string {
  return py.version.split(".").slice(0, 2).join(".");
}

/** The sentence a user sees when a python3.x function cannot run here. */
export function noPythonMessage(runtime: string): string {
  const which = process.env.LAMBDA_SIM_PYTHON ? `LAMBDA_SIM_PYTHON (${process.env.LAMBDA_SIM_PYTHON}) does not run` : `neither ${runtime} nor python3 was found on PATH (nor ${runtime} in pyenv)`;
  return `lambda-sim cannot run the ${runtime} runtime: ${which}. Install Python 3 or set LAMBDA_SIM_PYTHON to an interpreter.`;
}

/** A warning when the interpreter's minor version is not the runtime's, else undefined. */
export function pythonVersionWarning(runtime: string, py: PythonInterpreter): string | undefined {
  const wanted = pythonRuntimeVersion(runtime);
  if (interpreterMinorVersion(py) === wanted) return undefined;
  // The variable chose this interpreter whatever else the machine has; otherwise none of the runtime's version was found.
  const why = py.source === "LAMBDA_SIM_PYTHON" ? "LAMBDA_SIM_PYTHON chose it" : `no ${runtime} was found on PATH or in pyenv`;
  const advice = py.source === "LAMBDA_SIM_PYTHON" ? `unset it or point it at a Python ${wanted}` : "Set LAMBDA_SIM_PYTHON to choose the interpreter";
  return `${runtime} functions run on Python ${py.version} (${py.executable}, from ${py.source}): ${why}; code using ${wanted}-only features will fail. ${advice[0]!.toUpperCase()}${advice.slice(1)}.`;
}

/**
 * The start-up warnings for configured python3.x functions, one per runtime: no interpreter (the
 * rest of the configuration still starts; the function's invocations fail with
 * Runtime.InvalidEntrypoint saying why), or an interpreter of another version.
 */
export function pythonWarnings(functions: readonly { functionName: string; runtime: string }[]): string[] {
  const warnings: string[] = [];
  const seen = new Set<string>();
  for (const f of functions) {
    if (!f.runtime.startsWith("python") || seen.has(f.runtime)) continue;
    seen.add(f.runtime);
    const py = pythonInterpreter(f.runtime);
    const warning = py === undefined ? `functions.${f.functionName}: ${noPythonMessage(f.runtime)}` : pythonVersionWarning(f.runtime, py);
    if (warning !== undefined) warnings.push(warning);
  }
  return warnings;
}
