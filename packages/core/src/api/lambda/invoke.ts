import { lambdaErrors } from "../../errors/lambda-errors.ts";
import type { Invoker } from "../../invocation/invoker.ts";
import type { InvocationType } from "../../invocation/invoke-input.ts";
import type { RestRequest, RestResponse, RestRoute } from "../../protocols/rest-json.ts";

const INVOCATION_TYPES: ReadonlySet<string> = new Set(["RequestResponse", "Event", "DryRun"]);
/** ClientContext cap: 3,583 bytes of base64 (aws-facts §1.1). */
export const MAX_CLIENT_CONTEXT = 3583;

/**
 * `POST /2015-03-31/functions/{FunctionName}/invocations` (aws-facts §1.1-1.4): the hot path.
 * Responses: 200 with the function's bytes (also when it failed, with X-Amz-Function-Error), 202
 * for Event, 204 for DryRun.
 */
export function invokeRoutes(invoker: Invoker): RestRoute[] {
  return [
    { method: "POST", path: "/2015-03-31/functions/{FunctionName}/invocations", operation: "Invoke", handler: (req) => invoke(invoker, req) },
    // Legacy InvokeAsync (deprecated; 202, aws-facts §1.1).
    {
      method: "POST",
      path: "/2014-11-13/functions/{FunctionName}/invoke-async",
      operation: "InvokeAsync",
      handler: async (req) => {
        await invoker.invoke({ functionName: req.params.FunctionName!, payload: req.body, invocationType: "Event", requestId: req.requestId, frontDoor: true, traceHeader: header(req, "x-amzn-trace-id") });
        return { status: 202, body: { Status: 202 } };
      },
    },
  ];
}

async function invoke(invoker: Invoker, req: RestRequest): Promise<RestResponse> {
  const type = header(req, "x-amz-invocation-type") ?? "RequestResponse";
  if (!INVOCATION_TYPES.has(type)) {
    throw lambdaErrors.invalidParameterValue(
      `1 validation error detected: Value '${type}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]`,
    );
  }
  const logType = header(req, "x-amz-log-type") ?? "None";
  if (logType !== "None" && logType !== "Tail") {
    throw lambdaErrors.invalidParameterValue(
      `1 validation error detected: Value '${logType}' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [None, Tail]`,
    );
  }
  if (req.body.length > 0 && req.body.length <= 6 * 1024 * 1024) assertJson(req.body);
  const clientContext = decodeClientContext(header(req, "x-amz-client-context"));
  const out = await invoker.invoke({
    functionName: req.params.FunctionName!,
    qualifier: req.query.get("Qualifier") ?? undefined,
    payload: req.body,
    invocationType: type as InvocationType,
    clientContext,
    requestId: req.requestId,
    frontDoor: true,
    logTail: logType === "Tail",
    // A function's SDK sends its trace on (the recursion detection middleware): loops count in it.
    traceHeader: header(req, "x-amzn-trace-id"),
  });
  if (out.kind === "dry-run") return { status: 204 };
  if (out.kind === "accepted") return { status: 202 };
  const r = out.result;
  const headers: Record<string, string> = { "X-Amz-Executed-Version": out.executedVersion, "Content-Type": "application/json" };
  // Every AWS recording shows `Unhandled`, for handler errors too (aws-facts §1.2).
  if (r.errorType !== undefined) headers["X-Amz-Function-Error"] = "Unhandled";
  if (logType === "Tail") headers["X-Amz-Log-Result"] = r.logTail;
  return { status: 200, headers, body: r.payload };
}

export function header(req: RestRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The payload must be JSON (aws-facts §1.4 InvalidRequestContentException). */
export function assertJson(body: Buffer): void {
  try {
    JSON.parse(body.toString("utf8"));
  } catch (e) {
    throw lambdaErrors.invalidRequestContent(`Could not parse request body into json: Could not parse payload into json: ${(e as Error).message}`);
  }
}

export function decodeClientContext(value: string | undefined): string | undefined {
  if (value === undefined || value === "") return undefined;
  if (value.length > MAX_CLIENT_CONTEXT) {
    throw lambdaErrors.invalidParameterValue(
      `1 validation error detected: Value at 'clientContext' failed to satisfy constraint: Member must have length less than or equal to ${MAX_CLIENT_CONTEXT}`,
    );
  }
  const text = Buffer.from(value, "base64").toString("utf8");
  try {
    JSON.parse(text);
  } catch {
    throw lambdaErrors.invalidRequestContent("Client context must be a valid Base64-encoded JSON object.");
  }
  return text;
}
