import { describe, expect, it } from "vitest";
import { CreateFunctionCommand, InvokeCommand, PublishLayerVersionCommand } from "@aws-sdk/client-lambda";
import { zipFiles } from "@lambda-sim/core/testing";
import { createExtensionFunction, extensionTestbed } from "./support/extension-function.ts";

// Extensions that fail in the ways AWS's Extensions API names (RAPID, aws-lambda-runtime-interface-emulator:
// rapid/start.go, rapi/handler/agentregister.go, agentexiterror.go, core/watchdog.go).

const bed = extensionTestbed();
const HANDLER = "exports.handler = async () => { console.log('handler ran'); return { ok: true }; };";

/** Registers, reports `what` to REPORT_URL, then runs `then` (bash) with $API and $ID set. */
const bash = (then: string) => `#!/bin/bash
API="http://\${AWS_LAMBDA_RUNTIME_API}/2020-01-01/extension"
ID=$(curl -sS -D - -o /dev/null -X POST "$API/register" -H "Lambda-Extension-Name: $(basename "$0")" -d '{"events":["INVOKE","SHUTDOWN"]}' | grep -i '^Lambda-Extension-Identifier' | tr -d '\\r' | awk '{print $2}')
${then}
`;

async function fn(name: string, extensions: Record<string, string>, handler = HANDLER): Promise<void> {
  await createExtensionFunction(bed.lambda, name, { extensions, handler, timeout: 5, variables: { REPORT_URL: `${bed.reports.url}/${name}` } });
}

async function invoke(name: string) {
  const out = await bed.lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from("{}"), LogType: "Tail" }));
  return { out, body: JSON.parse(Buffer.from(out.Payload ?? new Uint8Array()).toString("utf8")), log: Buffer.from(out.LogResult ?? "", "base64").toString("utf8") };
}

describe("Extensions API failures", () => {
  it("fails the Init with Extension.LaunchError when a file of /opt/extensions cannot be started", async () => {
    // Not executable: RAPID starts every file of /opt/extensions, and exec refuses this one.
    const layer = await bed.lambda.send(new PublishLayerVersionCommand({ LayerName: "not-executable", Content: { ZipFile: await zipFiles([{ name: "extensions/agent", data: "#!/bin/sh\nsleep 5\n", mode: 0o644 }]) } }));
    await bed.lambda.send(new CreateFunctionCommand({ FunctionName: "launch-error", Runtime: "nodejs24.x", Handler: "index.handler", Role: "arn:aws:iam::000000000000:role/x", Code: { ZipFile: await zipFiles([{ name: "index.js", data: HANDLER }]) }, Layers: [layer.LayerVersionArn!] }));
    const { out, body, log } = await invoke("launch-error");
    expect(out.FunctionError).toBe("Unhandled");
    expect(body).toEqual({ errorType: "Extension.LaunchError", errorMessage: `RequestId: ${out.$metadata.requestId} Error: fork/exec /opt/extensions/agent: permission denied` });
    expect(log).not.toContain("handler ran");
  });

  it("fails the Init with Extension.LaunchError when exec refuses an executable file: a missing #! interpreter (a CRLF line's too), or neither a script nor a binary", async () => {
    // RAPID starts it with Go's exec.Cmd.Start: execve's ENOENT (the interpreter) or ENOEXEC is a launch error, not a crash.
    const cases = [
      { name: "bad-shebang", data: "#!/no/such/interpreter\nsleep 5\n", why: "no such file or directory" },
      { name: "no-shebang", data: "sleep 5\n", why: "exec format error" },
      // Saved with CRLF: the kernel looks for "/bin/sh\r", which does not exist.
      { name: "crlf-shebang", data: "#!/bin/sh\r\nsleep 5\r\n", why: "no such file or directory" },
    ];
    for (const c of cases) {
      const layer = await bed.lambda.send(new PublishLayerVersionCommand({ LayerName: c.name, Content: { ZipFile: await zipFiles([{ name: "extensions/agent", data: c.data, mode: 0o755 }]) } }));
      await bed.lambda.send(new CreateFunctionCommand({ FunctionName: c.name, Runtime: "nodejs24.x", Handler: "index.handler", Role: "arn:aws:iam::000000000000:role/x", Code: { ZipFile: await zipFiles([{ name: "index.js", data: HANDLER }]) }, Layers: [layer.LayerVersionArn!] }));
      const { out, body, log } = await invoke(c.name);
      expect([c.name, body]).toEqual([c.name, { errorType: "Extension.LaunchError", errorMessage: `RequestId: ${out.$metadata.requestId} Error: fork/exec /opt/extensions/agent: ${c.why}` }]);
      expect(log).not.toContain("handler ran");
    }
  });

  it("answers registration refusals as RAPID does: 403 with Extension.InvalidExtensionName, InvalidEventType, InvalidExtensionState", async () => {
    const refusals = `#!/bin/bash
API="http://\${AWS_LAMBDA_RUNTIME_API}/2020-01-01/extension"
NAME=$(basename "$0")
report() { curl -sS -X POST "$REPORT_URL/$1" -H 'Content-Type: application/json' -d "{\\"status\\":$2,\\"body\\":$3}"; }
BODY=$(curl -sS -o - -w '\\n%{http_code}' -X POST "$API/register" -H "Lambda-Extension-Name: " -d '{"events":["INVOKE"]}')
report empty-name "$(echo "$BODY" | tail -1)" "$(echo "$BODY" | head -1)"
BODY=$(curl -sS -o - -w '\\n%{http_code}' -X POST "$API/register" -H "Lambda-Extension-Name: $NAME" -d '{"events":["INVOKE","RESTORE"]}')
report bad-event "$(echo "$BODY" | tail -1)" "$(echo "$BODY" | head -1)"
ID=$(curl -sS -D - -o /dev/null -X POST "$API/register" -H "Lambda-Extension-Name: $NAME" -d '{"events":["INVOKE"]}' | grep -i '^Lambda-Extension-Identifier' | tr -d '\\r' | awk '{print $2}')
BODY=$(curl -sS -o - -w '\\n%{http_code}' -X POST "$API/register" -H "Lambda-Extension-Name: $NAME" -d '{"events":["INVOKE"]}')
report twice "$(echo "$BODY" | tail -1)" "$(echo "$BODY" | head -1)"
while true; do curl -sS "$API/event/next" -H "Lambda-Extension-Identifier: $ID" > /dev/null; done
`;
    await fn("refusals", { refused: refusals });
    const { out, body } = await invoke("refusals");
    expect(out.FunctionError).toBeUndefined();
    expect(body).toEqual({ ok: true });
    const got = (what: string) => bed.reports.got(`refusals/${what}`)[0];
    expect(got("empty-name")).toEqual({ status: 403, body: { errorType: "Extension.InvalidExtensionName", errorMessage: "Empty extension name" } });
    expect(got("bad-event")).toMatchObject({ status: 403, body: { errorType: "Extension.InvalidEventType" } });
    expect(got("twice")).toEqual({ status: 403, body: { errorType: "Extension.InvalidExtensionState", errorMessage: "State transition from Registered to Registered failed for extension refused. Error: State transition is not allowed" } });
  });

  it("fails the invocation with Extension.ExitError when an extension posts exit/error and exits, and resets the environment", async () => {
    const exits = bash(`curl -sS "$API/event/next" -H "Lambda-Extension-Identifier: $ID" > /dev/null
STATUS=$(curl -sS -o /dev/null -w '%{http_code}' -X POST "$API/exit/error" -H "Lambda-Extension-Identifier: $ID" -H "Lambda-Extension-Function-Error-Type: Extension.LostBackend" -d '{}')
curl -sS -X POST "$REPORT_URL/exit-error" -d "{\\"status\\":$STATUS}"
exit 0`);
    await fn("exit-error", { quitter: exits }, "exports.handler = () => new Promise((r) => setTimeout(() => r({ ok: true }), 1500));");
    const { out, body } = await invoke("exit-error");
    expect(bed.reports.got("exit-error/exit-error")[0]).toEqual({ status: 202 });
    expect(out.FunctionError).toBe("Unhandled");
    expect(body).toEqual({ errorType: "Extension.ExitError", errorMessage: `RequestId: ${out.$metadata.requestId} Error: exit code 0` });
    // Reset: the next invocation runs a new Init, the extension's included.
    expect((await invoke("exit-error")).log).toMatch(/Init Duration/);
  });

  it("fails the invocation with Extension.Crash when an extension exits with status 0 while the function runs", async () => {
    const quits = bash(`curl -sS "$API/event/next" -H "Lambda-Extension-Identifier: $ID" > /dev/null
exit 0`);
    await fn("quits", { quitter: quits }, "exports.handler = () => new Promise((r) => setTimeout(() => r({ ok: true }), 1500));");
    const { out, body } = await invoke("quits");
    expect(out.FunctionError).toBe("Unhandled");
    expect(body).toEqual({ errorType: "Extension.Crash", errorMessage: `RequestId: ${out.$metadata.requestId} Error: exit code 0` });
  });

  it("fails the Init with Extension.Crash when an extension registers and exits before its first event, while the runtime waits (review-si: the environment re-ran its Init for ever)", async () => {
    await fn("exits-in-init", { crashy: bash("sleep 0.3; exit 3") });
    const { out, body, log } = await invoke("exits-in-init");
    expect(out.FunctionError).toBe("Unhandled");
    expect(body).toEqual({ errorType: "Extension.Crash", errorMessage: `RequestId: ${out.$metadata.requestId} Error: exit status 3` });
    expect(log).toMatch(/^INIT_REPORT Init Duration: [\d.]+ ms\tPhase: init\tStatus: error\tError Type: Extension.Crash$/m);
    expect(log).not.toContain("handler ran");
  });

  it("times the Init out when an extension never registers, and its retry inside the invocation (the suppressed init) at the function's timeout", async () => {
    process.env.LAMBDA_SIM_INIT_LIMIT_MS = "1000";
    try {
      const name = "never-registers";
      await createExtensionFunction(bed.lambda, name, { extensions: { silent: "#!/bin/bash\necho 'not registering'\nsleep 30\n" }, handler: HANDLER, timeout: 2, variables: { REPORT_URL: `${bed.reports.url}/${name}` } });
      const { out, body, log } = await invoke(name);
      expect(out.FunctionError).toBe("Unhandled");
      // The retried Init has the function's 2 s timeout (aws-facts §3), not the 1 s limit again.
      expect(body).toEqual({ errorType: "Sandbox.Timedout", errorMessage: `RequestId: ${out.$metadata.requestId} Error: Task timed out after 2.00 seconds` });
      expect(log.match(/not registering/g)).toHaveLength(2);
      expect(log).not.toContain("handler ran");
      // AWS's line for an Init cut by its limit: Status: timeout, no error type; the retry's in the invoke phase.
      expect(log).toMatch(/^INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: init\tStatus: timeout$/m);
      expect(log).toMatch(/^INIT_REPORT Init Duration: 2\d{3}\.\d\d ms\tPhase: invoke\tStatus: timeout$/m);
      expect(log).toMatch(/\tDuration: 2\d{3}\.\d\d ms\t.*\tStatus: timeout\tError Type: Sandbox.Timedout\t\n$/);
    } finally {
      delete process.env.LAMBDA_SIM_INIT_LIMIT_MS;
    }
  });
});
