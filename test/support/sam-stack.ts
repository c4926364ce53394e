import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * `template` written as `template.yaml` in a new folder named `stack` (SAM CLI, and lambda-sim
 * after it, names the stack after the template's folder). Returns the template's path.
 */
export function writeStackTemplate(template: string, stack = "shop"): string {
  const dir = join(mkdtempSync(join(tmpdir(), "lambda-sim-stack-")), stack);
  mkdirSync(dir);
  writeFileSync(join(dir, "template.yaml"), template);
  return join(dir, "template.yaml");
}

/** The name a template's function got (`shop-WorkerFunction-1A2B…`), as `lambda-sim start` prints it. */
export function generatedName(startOutput: string, logicalId: string, stack = "shop"): string {
  const m = new RegExp(`function (${stack}-${logicalId}-\\w+)`).exec(startOutput);
  if (m === null) throw new Error(`no function ${stack}-${logicalId}-… in: ${startOutput}`);
  return m[1]!;
}
