import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import type { FunctionVersionConfig } from "../registry/function-model.ts";
import { noPythonMessage, pythonInterpreter } from "./python-interpreter.ts";
import type { ProcessCommand, RuntimeDriver } from "./runtime-driver.ts";

/** bootstrap.py, run from its cached bytecode (run.py: a script named on the command line is compiled at every start). */
const PYTHON_BOOTSTRAP = fileURLToPath(new URL("../../bootstrap/python/run.py", import.meta.url));
const PYTHON_SANDBOX = fileURLToPath(new URL("../../bootstrap/python/sandbox.py", import.meta.url));

/**
 * python3.12 / python3.13 / python3.14: our own standard-library bootstrap loads the handler (the
 * job of /var/runtime/bootstrap.py and awslambdaric on AWS), on the interpreter chosen by
 * pythonInterpreter(). `-u`: output unbuffered, as the RIC wraps stdout and stderr, so a print()
 * reaches the log before the response is posted. `AWS_LAMBDA_EXEC_WRAPPER` receives the
 * interpreter and its arguments (aws-facts §2.3). Without an interpreter every invocation fails
 * with Runtime.InvalidEntrypoint saying so.
 */
/** The interpreter's flags for a function's process and a pooled sandbox alike: unbuffered output (lines reach the log as written). */
const PYTHON_FLAGS = ["-u"];

export const pythonDriver: RuntimeDriver = {
  name: "python",
  privateChannel: true,
  command(config: FunctionVersionConfig, env: Record<string, string>): ProcessCommand {
    const py = pythonInterpreter(config.runtime);
    const executable = py?.executable ?? "/usr/bin/python3";
    const args = [...PYTHON_FLAGS, PYTHON_BOOTSTRAP];
    const wrapper = env.AWS_LAMBDA_EXEC_WRAPPER;
    if (wrapper) return { command: wrapper, args: [executable, ...args] };
    return { command: executable, args };
  },
  sandboxCommand(config) {
    const py = pythonInterpreter(config.runtime);
    return py === undefined ? undefined : { command: py.executable, args: [...PYTHON_FLAGS, PYTHON_SANDBOX] };
  },
  unavailable(config) {
    return pythonInterpreter(config.runtime) === undefined ? noPythonMessage(config.runtime) : undefined;
  },
};

/** Paths the python process must still reach under a private /tmp: its interpreter and borrowed boto3. */
export function pythonPathsToKeep(runtime: string): string[] {
  const py = pythonInterpreter(runtime);
  if (py === undefined) return [];
  return py.boto3Dir === undefined ? [dirname(py.executable)] : [dirname(py.executable), py.boto3Dir];
}
