import { readFile } from "node:fs/promises";
import { ClientError } from "../client/client-error.ts";
import { resolveEndpoint } from "../client/endpoint.ts";
import { signedHeaders, signingKeys } from "../client/request-signer.ts";
import { simAuthHeaders } from "../client/sim-auth.ts";
import { logicalIdNote, templateFunction } from "./tail-function.ts";

export interface InvokeOptions {
  payload: string;
  event?: boolean;
  qualifier?: string;
  log?: boolean;
  endpoint?: string;
}

/**
 * `lambda-sim invoke NAME`: one Invoke call on the Lambda REST API of a running simulator. Prints
 * the payload on stdout, the function error type and the log tail on stderr; exits 1 when the
 * function failed, so scripts can test it. Unsigned first (a simulator without --auth, the usual
 * case, costs no signer); a 403 asking for a signature gets the same request signed with the keys
 * `start --auth` reads (LAMBDA_SIM_ACCESS_KEY_ID...), else the AWS tools' (AWS_ACCESS_KEY_ID...).
 * NAME may be a template's logical id, as for `tail --function`: a function the simulator does not
 * have by that name is looked up in its `/_sim/template`, and invoked by its own name (with the
 * qualifier NAME carries, as in `LogicalId:live`).
 */
export async function invokeCommand(name: string, opts: InvokeOptions): Promise<void> {
  const payload = opts.payload.startsWith("@") ? await payloadFile(opts.payload.slice(1)) : Buffer.from(opts.payload);
  const endpoint = resolveEndpoint(opts.endpoint);
  const headers: Record<string, string> = { "Content-Type": "application/json", "X-Amz-Invocation-Type": opts.event ? "Event" : "RequestResponse" };
  if (opts.log) headers["X-Amz-Log-Type"] = "Tail";
  const keys = signingKeys();
  const invoke = async (functionName: string) => {
    const url = new URL(`/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations`, endpoint);
    if (opts.qualifier) url.searchParams.set("Qualifier", opts.qualifier);
    const post = (h: Record<string, string>) => fetch(url, { method: "POST", headers: h, body: payload }).catch(() => undefined);
    const res = await post(headers);
    if (res?.status !== 403 || !res.headers.get("x-amzn-errortype")?.startsWith("MissingAuthenticationToken") || keys === undefined) return res;
    await res.arrayBuffer();
    const { host: _, ...signed } = await signedHeaders(url, "POST", headers, payload, "lambda", keys);
    return post(signed);
  };
  let res = await invoke(name);
  if (res?.status === 404 && res.headers.get("x-amzn-errortype")?.startsWith("ResourceNotFoundException")) {
    // Only a name the simulator lacks is looked up: an exact name wins over a logical id spelt the same.
    // `LogicalId:alias` (or `:version`), AWS's partial-name form with a qualifier, is looked up by
    // its id and invoked as `physical-name:alias`; an ARN is left as it is.
    const sep = name.startsWith("arn:") ? -1 : name.indexOf(":");
    const [id, suffix] = sep > 0 ? [name.slice(0, sep), name.slice(sep)] : [name, ""];
    const physical = await templateFunction(endpoint, id, simAuthHeaders());
    if (physical !== undefined) {
      await res.arrayBuffer();
      process.stderr.write(`lambda-sim invoke: ${logicalIdNote(id, physical)}\n`);
      res = await invoke(physical + suffix);
    }
  }
  if (res === undefined) {
    process.stderr.write(`lambda-sim: no simulator running at ${endpoint} (start one with \`lambda-sim start\`, or pass --endpoint)\n`);
    process.exitCode = 1;
    return;
  }
  const body = await res.text();
  if (res.status >= 400) {
    const type = res.headers.get("x-amzn-errortype") ?? `HTTP ${res.status}`;
    let message = body;
    try {
      const parsed = JSON.parse(body) as Record<string, string>;
      message = parsed.message ?? parsed.Message ?? body;
      // A throttle's Reason says which limit it hit (aws-facts §1.4), as the SDKs expose it.
      if (parsed.Reason) message += ` (Reason: ${parsed.Reason})`;
    } catch {
      // not JSON: print as is
    }
    process.stderr.write(`${type}: ${message}\n`);
    // Unsigned because no keys were found: say which to set, as `tail` does for its token.
    if (type.startsWith("MissingAuthenticationToken") && keys === undefined) process.stderr.write(`lambda-sim invoke: ${missingKeysHint(endpoint)}\n`);
    process.exitCode = 1;
    return;
  }
  if (res.status === 202) {
    process.stdout.write(`accepted (202), request id ${res.headers.get("x-amzn-requestid")}\n`);
    return;
  }
  // The log tail, then the payload on a line of its own: in a terminal both streams share the
  // screen, so neither may end mid-line (a log cut to its last 4 KB, or a payload without a newline).
  const log = res.headers.get("x-amz-log-result");
  if (log) process.stderr.write(endLine(Buffer.from(log, "base64").toString("utf8")));
  process.stdout.write(endLine(body));
  const fnError = res.headers.get("x-amz-function-error");
  if (fnError) {
    process.stderr.write(`function error (${fnError}), executed version ${res.headers.get("x-amz-executed-version")}\n`);
    process.exitCode = 1;
  }
}

/** `--payload @FILE`'s bytes; a file that cannot be read is one line and exit 1 (main.ts), not a stack trace. */
async function payloadFile(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === "ENOENT" ? "no such file" : err.code === "EISDIR" ? "it is a folder" : err.code === "EACCES" || err.code === "EPERM" ? "not allowed to read it" : (err.code ?? err.message);
    throw new ClientError(`--payload @${file}: ${why}`);
  }
}

const endLine = (text: string) => (text.endsWith("\n") ? text : `${text}\n`);

/** What to tell a user whose unsigned call a simulator under --auth refused. */
function missingKeysHint(endpoint: string): string {
  return `the simulator at ${endpoint} runs with --auth and wants signed requests: set LAMBDA_SIM_ACCESS_KEY_ID and LAMBDA_SIM_SECRET_ACCESS_KEY (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) to the keys it was started with`;
}
