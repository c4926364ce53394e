import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { startLambdaSim } from "./support/lambda-sim-process.ts";
import { until } from "./support/until.ts";

// The README's `aws` commands, run as written with Debian's AWS CLI v2 (2.9, which ignores
// AWS_ENDPOINT_URL: issue 13) against the bundled example; only the port differs.
const README = fileURLToPath(new URL("../README.md", import.meta.url));
const CLI = fileURLToPath(new URL("../packages/cli/bin/lambda-sim.js", import.meta.url));
const EXAMPLE = fileURLToPath(new URL("../examples/lambda-sim.yaml", import.meta.url));
const DEBIAN_AWS = "/usr/bin/aws";
const ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * The commands of the README's ```sh blocks that call `aws`, each with the `eval` and `export`
 * lines above it: the blocks are typed into one terminal, top to bottom.
 */
function readmeAwsCommands(text: string): { command: string; setup: string[] }[] {
  const out: { command: string; setup: string[] }[] = [];
  const setup: string[] = [];
  for (const block of text.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const line of block[1]!.replace(/\\\n\s*/g, "").split("\n")) {
      if (line.startsWith("eval ") || line.startsWith("export ")) setup.push(line);
      else if (/^\s*([A-Z_]+=\S+\s+)*aws\s/.test(line)) out.push({ command: line.trim(), setup: [...setup] });
    }
  }
  return out;
}

function bash(script: string, cwd: string): Promise<{ code: number; output: string }> {
  // A user's shell: Debian's aws first on PATH, no AWS configuration of this machine's.
  const env = { PATH: `/usr/bin:/bin`, HOME: cwd, LANG: "C.UTF-8" };
  return new Promise((resolve) => {
    execFile("bash", ["-c", script], { cwd, env, encoding: "utf8" }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === "number" ? err.code : 1, output: stdout + stderr });
    });
  });
}

describe("the README's AWS CLI commands", () => {
  it("all pass --endpoint-url, which every AWS CLI v2 reads", () => {
    const commands = readmeAwsCommands(readFileSync(README, "utf8"));
    expect(commands.filter((c) => !c.command.includes("--endpoint-url ")).map((c) => c.command)).toEqual([]);
  });

  it.skipIf(!existsSync(DEBIAN_AWS))("of the bundled example's walk-through work as written with Debian's aws 2.9 (skipped without /usr/bin/aws)", async () => {
    // "Set up" runs the bundled example (later sections start other configurations).
    const text = readFileSync(README, "utf8");
    const setUp = text.slice(text.indexOf("## Set up"), text.indexOf("\n## ", text.indexOf("## Set up") + 1));
    const commands = readmeAwsCommands(setUp.slice(0, setUp.includes("\n### ") ? setUp.indexOf("\n### ") : undefined));
    const operations = commands.map((c) => /\baws (\S+ \S+)/.exec(c.command)![1]);
    expect(operations).toEqual(expect.arrayContaining(["lambda invoke", "sqs send-message", "kinesis put-record", "sts get-caller-identity"]));
    const sim = await startLambdaSim(["--config", EXAMPLE, "--in-memory"]);
    const cwd = mkdtempSync(join(tmpdir(), "lambda-sim-readme-"));
    for (const { command, setup } of commands) {
      // `npx lambda-sim` is this checkout's bin, run by the Node running the tests.
      const prelude = setup.map((l) => l.replace("npx lambda-sim env", `'${process.execPath}' '${CLI}' env --endpoint ${sim.endpoint}`));
      const r = await bash([...prelude, command.replaceAll("http://127.0.0.1:3001", sim.endpoint)].join("\n"), cwd);
      expect({ command, ...r }).toMatchObject({ command, code: 0 });
      expect(r.output).not.toMatch(/amazonaws\.com/);
    }
    expect(JSON.parse(readFileSync(join(cwd, "out.json"), "utf8"))).toMatchObject({ message: "Hello, Ada!" });
  }, 120_000);

  it.skipIf(!existsSync(DEBIAN_AWS))("of the SAM application's section work as written with Debian's aws 2.9 against the template it starts (skipped without /usr/bin/aws)", async () => {
    const section = sectionOf(readFileSync(README, "utf8"), "### A SAM application as it is");
    // The section's own start line, as written in the repository's root: only the port differs.
    const start = /^npx lambda-sim start (.*)$/m.exec(section)![1]!.split(/\s+/).map((a) => (a.startsWith("examples/") ? join(ROOT, a) : a));
    const commands = readmeAwsCommands(section);
    expect(commands.map((c) => /\baws (\S+ \S+)/.exec(c.command)![1])).toEqual(["sqs send-message", "sqs send-message"]);
    const sim = await startLambdaSim(start);
    const cwd = mkdtempSync(join(tmpdir(), "lambda-sim-readme-sam-"));
    for (const { command, setup } of commands) {
      const r = await bash([...setup, command].join("\n").replaceAll("http://127.0.0.1:3001", sim.endpoint), cwd);
      expect({ command, ...r }).toMatchObject({ command, code: 0, output: expect.stringContaining('"MessageId"') });
      expect(r.output).not.toMatch(/amazonaws\.com/);
    }
    // The queue's consumer got the order the first command sent.
    await until(() => /order 2 processed/.test(sim.output()));
  }, 120_000);
});

/** A README section from its heading to the next heading (`## ` or `### `: a `# ` line in a block is a comment). */
function sectionOf(text: string, heading: string): string {
  const rest = text.slice(text.indexOf(`${heading}\n`));
  const next = /\n#{2,3} /.exec(rest.slice(heading.length));
  return next === null ? rest : rest.slice(0, heading.length + next.index);
}
