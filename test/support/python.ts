import { spawnSync } from "node:child_process";

/** Whether this machine has a python3 at all: the Python tests are skipped (and say so) otherwise. */
export const HAS_PYTHON = spawnSync("python3", ["-c", "pass"], { stdio: "ignore" }).status === 0;

/** A describe title carrying the reason when the tests cannot run here. */
export const pythonTitle = (title: string) => (HAS_PYTHON ? title : `${title} (skipped: no python3 on this machine)`);
