import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CLI, startLambdaSim, USER_SHELL_PATH } from "./support/lambda-sim-process.ts";

/**
 * A newcomer's first command is the start banner's `try:` line, copied into a shell as it is. It
 * must succeed for every bundled example: the function named gets a payload it accepts.
 */
const EXAMPLES = fileURLToPath(new URL("../examples/", import.meta.url));

/**
 * The banner's suggested command, run by a POSIX shell with `lambda-sim` standing for our bin. In
 * the repository the banner says `npx lambda-sim` (lambda-sim is not on the user's PATH:
 * cli-name.ts); npx would find this bin, which the stand-in runs (packed-install.test.ts runs npx).
 */
async function runSuggestion(output: string): Promise<{ command: string; code: number | null; stdout: string; stderr: string }> {
  const command = /try: npx (lambda-sim invoke .*)\n/.exec(output)?.[1];
  expect(command, output).toBeDefined();
  // `lambda-sim` on PATH, as an installed package puts it (dash takes no hyphen in a function name).
  const bin = mkdtempSync(join(tmpdir(), "bin-"));
  writeFileSync(join(bin, "lambda-sim"), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`, { mode: 0o755 });
  return new Promise((resolve) => {
    const child = spawn("sh", ["-c", command!], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b));
    child.stderr.on("data", (b: Buffer) => (stderr += b));
    child.on("exit", (code) => resolve({ command: command!, code, stdout, stderr }));
  });
}

/** `lambda-sim start` on a lambda-sim.yaml of these lines, in a folder of its own. */
async function startWith(lines: string[]) {
  const config = join(mkdtempSync(join(tmpdir(), "banner-")), "lambda-sim.yaml");
  writeFileSync(config, [...lines, ""].join("\n"));
  return startLambdaSim(["--config", config, "--in-memory"], { PATH: USER_SHELL_PATH });
}

/** A function of the examples' code, as a lambda-sim.yaml line. */
const fn = (name: string, code: string) => `  ${name}: { runtime: nodejs24.x, handler: index.handler, codeUri: ${join(EXAMPLES, `functions/${code}`)} }`;

describe("the start banner's suggested invoke", () => {
  it("succeeds for examples/lambda-sim.yaml: hello with the input its schedule sends", async () => {
    const sim = await startLambdaSim(["--config", join(EXAMPLES, "lambda-sim.yaml"), "--in-memory"], { PATH: USER_SHELL_PATH });
    const r = await runSuggestion(sim.output());
    expect(r.command).toBe(`lambda-sim invoke hello --payload '{"name":"Paris"}' --log --endpoint ${sim.endpoint}`);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ message: "Hello, Paris!" });
  }, 60_000);

  it("succeeds for the SAM example: not the API's function (it wants an API Gateway event), the scheduled one with its Input", async () => {
    const sim = await startLambdaSim(["--template", join(EXAMPLES, "sam-app/template.yaml"), "--parameter-overrides", "Stage=dev", "--in-memory"], { PATH: USER_SHELL_PATH });
    const r = await runSuggestion(sim.output());
    // By its logical id, which a colleague's clone under another folder name prints too; invoke looks it up.
    expect(r.command).toMatch(/^lambda-sim invoke NightlyReportFunction --payload '\{"report":"nightly"\}' --log/);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/NightlyReportFunction is the template's logical id of function sam-app-NightlyReportFunction-\w+/);
    expect(r.stderr).toContain("nightly: 0 order(s) waiting, 0 dead-lettered");
  }, 60_000);

  it("passes over a queue consumer for a function nothing triggers, which `{}` suits", async () => {
    const sim = await startWith(["functions:", fn("a-consumer", "orders"), fn("b-direct", "hello"), "queues:", "  orders:", "eventSourceMappings:", "  - { functionName: a-consumer, eventSourceArn: sqs:orders }"]);
    const r = await runSuggestion(sim.output());
    expect(r.command).toBe(`lambda-sim invoke b-direct --payload '{}' --log --endpoint ${sim.endpoint}`);
    expect(r.code, r.stderr).toBe(0);
  }, 60_000);

  it("passes over a topic's Lambda subscriber and a bus rule's target (each wants its own event) for a function called directly", async () => {
    const sim = await startWith([
      "functions:",
      fn("a-subscriber", "orders"),
      fn("b-rule-target", "orders"),
      fn("c-direct", "hello"),
      "topics:",
      "  orders:",
      "    subscriptions:",
      "      - { protocol: lambda, endpoint: lambda:a-subscriber }",
      "buses:",
      "  shop:",
      "    rules:",
      "      shipped:",
      "        eventPattern: { source: [shop] }",
      "        targets:",
      "          - { id: ship, arn: lambda:b-rule-target }",
    ]);
    const r = await runSuggestion(sim.output());
    expect(r.command).toBe(`lambda-sim invoke c-direct --payload '{}' --log --endpoint ${sim.endpoint}`);
    expect(r.code, r.stderr).toBe(0);
  }, 60_000);

  it("passes over an API's Lambda authorizer (it wants an authorizer event) for a function called directly", async () => {
    const sim = await startWith([
      "functions:",
      fn("a-authorizer", "orders"),
      fn("b-route", "orders"),
      fn("c-direct", "hello"),
      "apis:",
      "  shop:",
      '    routes: { "GET /me": { functionName: b-route, authorizer: tok } }',
      "    authorizers: { tok: { functionName: a-authorizer, identitySource: $request.header.Authorization } }",
    ]);
    const r = await runSuggestion(sim.output());
    expect(r.command).toBe(`lambda-sim invoke c-direct --payload '{}' --log --endpoint ${sim.endpoint}`);
    expect(r.code, r.stderr).toBe(0);
  }, 60_000);

  it("leaves the try: line out when every function wants its source's events (here a queue's consumer): no NAME placeholder to copy", async () => {
    const sim = await startWith(["functions:", fn("a-consumer", "orders"), "queues:", "  orders:", "eventSourceMappings:", "  - { functionName: a-consumer, eventSourceArn: sqs:orders }"]);
    expect(sim.output()).toContain("functions (1): a-consumer\n");
    expect(sim.output()).toContain(`events: npx lambda-sim tail --endpoint ${sim.endpoint}\n`);
    expect(sim.output()).not.toContain("try:");
    expect(sim.output()).not.toContain("invoke NAME");
  }, 60_000);
});
