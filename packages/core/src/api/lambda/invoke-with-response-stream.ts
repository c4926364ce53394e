import type { ServerResponse } from "node:http";
import type { Invoker } from "../../invocation/invoker.ts";
import type { InvocationResult } from "../../invocation/invocation-result.ts";
import { resumeWhenDrained, type ResponseSink } from "../../runtime/response-sink.ts";
import { eventMessage } from "../../protocols/event-stream.ts";
import type { RestRequest, RestRoute } from "../../protocols/rest-json.ts";
import { assertJson, decodeClientContext, header } from "./invoke.ts";

const EVENT_STREAM = "application/vnd.amazon.eventstream";
const EMPTY = new Uint8Array(0);

/**
 * `POST /2021-11-15/functions/{FunctionName}/response-streaming-invocations` (aws-facts §1.1):
 * 200 with an event stream of `PayloadChunk` events, one per chunk as the function writes it,
 * then one `InvokeComplete` (`{}` on success, `LogResult` with LogType Tail). A function that does
 * not stream sends its whole result as one chunk. InvocationType DryRun is run like
 * RequestResponse: SAM CLI's tests, recorded against AWS, see it stream.
 */
export function invokeWithResponseStreamRoutes(invoker: Invoker): RestRoute[] {
  return [
    {
      method: "POST",
      path: "/2021-11-15/functions/{FunctionName}/response-streaming-invocations",
      operation: "InvokeWithResponseStream",
      handler: (req) => {
        if (req.body.length > 0 && req.body.length <= 6 * 1024 * 1024) assertJson(req.body);
        const clientContext = decodeClientContext(header(req, "x-amz-client-context"));
        return { stream: (res) => streamInvoke(invoker, req, res, clientContext) };
      },
    },
  ];
}

async function streamInvoke(invoker: Invoker, req: RestRequest, res: ServerResponse, clientContext: string | undefined): Promise<void> {
  const sink = new EventStreamSink(res, req.requestId);
  const out = await invoker.invoke({
    functionName: req.params.FunctionName!,
    qualifier: req.query.get("Qualifier") ?? undefined,
    payload: req.body,
    invocationType: "RequestResponse",
    clientContext,
    requestId: req.requestId,
    responseSink: sink,
    logTail: header(req, "x-amz-log-type") === "Tail",
    traceHeader: header(req, "x-amzn-trace-id"),
  });
  if (out.kind !== "result") return;
  const r = out.result;
  if (!sink.wroteChunk && r.errorType === undefined && r.payload.length > 0) sink.write(r.payload);
  sink.open();
  const complete = completeEvent(r, header(req, "x-amz-log-type") === "Tail");
  res.end(eventMessage("InvokeComplete", "application/json", Buffer.from(JSON.stringify(complete))));
}

/**
 * `InvokeComplete` (botocore InvokeWithResponseStreamCompleteEvent). For a failed invocation,
 * ErrorCode is the error's type and ErrorDetails its message: our reading of the model, since no
 * AWS recording of a failed stream was found.
 */
function completeEvent(r: InvocationResult, tail: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  if (r.errorType !== undefined) {
    const error = parseError(r.payload);
    out.ErrorCode = error.errorType ?? r.errorType;
    out.ErrorDetails = error.errorMessage ?? "";
  }
  if (tail) out.LogResult = r.logTail;
  return out;
}

function parseError(payload: Buffer): { errorType?: string; errorMessage?: string } {
  try {
    const v = JSON.parse(payload.toString("utf8")) as { errorType?: unknown; errorMessage?: unknown };
    return { errorType: typeof v.errorType === "string" ? v.errorType : undefined, errorMessage: typeof v.errorMessage === "string" ? v.errorMessage : undefined };
  } catch {
    return { errorMessage: payload.toString("utf8") };
  }
}

/** Writes the 200 and its headers at the first chunk (or at the end), then one PayloadChunk per chunk. */
class EventStreamSink implements ResponseSink {
  wroteChunk = false;
  private version = "$LATEST";
  private readonly res: ServerResponse;
  private readonly requestId: string;

  constructor(res: ServerResponse, requestId: string) {
    this.res = res;
    this.requestId = requestId;
  }

  resolved(executedVersion: string): void {
    this.version = executedVersion;
  }

  start(): void {
    this.open();
  }

  open(): void {
    if (this.res.headersSent) return;
    this.res.writeHead(200, { "Content-Type": EVENT_STREAM, "X-Amz-Executed-Version": this.version, "x-amzn-RequestId": this.requestId });
  }

  write(chunk: Buffer): boolean {
    this.open();
    this.wroteChunk = true;
    // A caller that went away: the function's stream is drained and dropped.
    if (this.res.destroyed) return true;
    return this.res.write(eventMessage("PayloadChunk", "application/octet-stream", chunk.length === 0 ? EMPTY : chunk));
  }

  onDrain(resume: () => void): void {
    resumeWhenDrained(this.res, resume);
  }
}
