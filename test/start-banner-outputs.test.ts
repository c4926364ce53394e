import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CLI } from "./support/lambda-sim-process.ts";

/**
 * A template's Outputs in the start banner (newuser14 F16): SAM's usual ApiUrl Output builds the
 * API's AWS address, printed as CloudFormation resolves it, and a class copies the first URL on the
 * screen: the banner says where that API answers here, beside it, and that address answers.
 */
const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Resources:
  OrdersFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs24.x
      Handler: index.handler
      InlineCode: "exports.handler = async () => ({ statusCode: 201, body: 'made' });"
      Events:
        Create: { Type: HttpApi, Properties: { Path: /orders, Method: POST } }
Outputs:
  ApiUrl:
    Value: !Sub "https://\${ServerlessHttpApi}.execute-api.\${AWS::Region}.amazonaws.com/orders"
`;

const started: ChildProcess[] = [];
afterEach(() => {
  for (const c of started.splice(0)) c.kill("SIGKILL");
});

function start(cwd: string): Promise<string> {
  const child = spawn(process.execPath, [CLI, "start", "--port", "0", "--in-memory"], { cwd, stdio: ["ignore", "pipe", "pipe"] });
  started.push(child);
  let out = "";
  child.stderr.on("data", (b: Buffer) => (out += b));
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (b: Buffer) => {
      out += b;
      if (/AWS tools: .*\n/.test(out)) resolve(out);
    });
    child.on("exit", (code) => reject(new Error(`lambda-sim exited ${code}: ${out}`)));
  });
}

describe("a template's API address Output in the start banner", () => {
  it("is printed as CloudFormation resolves it, with the address that answers here beside it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "outputs-"));
    writeFileSync(join(dir, "template.yaml"), TEMPLATE);
    const banner = await start(dir);
    const line = /output ApiUrl: (https:\/\/(\w+)\.execute-api\.us-east-1\.amazonaws\.com\/orders) \(here: (http:\/\/127\.0\.0\.1:\d+\/_aws\/execute-api\/(\w+)\/orders)\)\n/.exec(banner);
    expect(line, banner).not.toBeNull();
    expect(line![4]).toBe(line![2]);
    const res = await fetch(line![3], { method: "POST" });
    expect(res.status).toBe(201);
    expect(await res.text()).toBe("made");
  }, 60_000);
});
