import { spawnSync } from "node:child_process";

/** Whether this machine has a python3 at all: the Python tests are skipped (and say so) otherwise. */
export const HAS_PYTHON = spawnSync("python3", ["-c", "pass"], { stdio: "ignore" }).status === 0;

/** A describe title carrying the reason when the tests cannot run here. */
export const pythonTitle = (title: string) => (HAS_PYTHON ? title : `${title} (skipped: no python3 on this machine)`);

/** Whether a Python handler can `import boto3` (lambda-sim provides it when some python3 here has it, as AWS's runtimes do). */
export const HAS_BOTO3 = HAS_PYTHON && ["python3", "/usr/bin/python3"].some((p) => spawnSync(p, ["-c", "import boto3"], { stdio: "ignore" }).status === 0);

/** A title carrying the reason when a test needing boto3 cannot run here. */
export const boto3Title = (title: string) => (HAS_BOTO3 ? title : `${title} (skipped: ${HAS_PYTHON ? "no python3 here has boto3" : "no python3 on this machine"})`);
