import type { ServerResponse } from "node:http";
import { isAwsError, positiveIntegerVariable, stopwatch, type InvocationVia, type Invoker, type ResponseSink, type Telemetry } from "@lambda-sim/core";
import { HttpStreamSink } from "./http-stream-sink.ts";
import { functionError, reportFailure, type IntegrationScope } from "./integration.ts";
import type { HttpAnswer } from "./payload-v2.ts";
import { BAD_RESPONSE, functionErrorReason, INTEGRATION_FAILED, invocationFailedReason, MALFORMED_REASON, TIMED_OUT, TIMEOUT_REASON } from "./rest-answers.ts";
import { REST_PRELUDE } from "./rest-stream-prelude.ts";
import { writeAnswer } from "./write-answer.ts";

/** "You can stream your response for up to 15 minutes": a STREAM route's timeout unless it sets one (our reading). */
export const STREAM_DEFAULT_TIMEOUT_MS = 900_000;
/**
 * "For Regional or private endpoints, the timeout is 5 minutes" between two pieces of the stream
 * (edge-optimized: 30 s). `LAMBDA_SIM_REST_STREAM_IDLE_TIMEOUT_MS` changes it (read per request).
 */
export const STREAM_IDLE_TIMEOUT_MS = 300_000;

export interface RestStreamCall {
  invoker: Invoker;
  telemetry: Telemetry;
  functionName: string;
  event: unknown;
  /** The route's integration timeout: how long the whole stream may last. */
  timeoutMs: number;
  via: InvocationVia;
  scope: IntegrationScope;
  res: ServerResponse;
  /** API Gateway's own headers (request id, trace id), the function's may replace them. */
  front: Record<string, string>;
}

/**
 * A REST API's Lambda proxy integration in STREAM mode (responseTransferMode: STREAM): the
 * function is called as InvokeWithResponseStream calls it (the Invoker with a response sink), its
 * metadata's status and headers go to the client as soon as the delimiter after them arrives, and
 * each body chunk as the function writes it (HttpStreamSink with REST_PRELUDE). No 10 MB limit
 * and no 29 s timeout: the route's timeout bounds the whole stream (15 minutes at most), and a gap
 * of STREAM_IDLE_TIMEOUT_MS between chunks ends it. Before any byte went out, failures are
 * answered as the buffered integration answers them (504 timeout, 502 function error, 500 Lambda
 * refusal) and a stream without valid metadata with a 500; after, the answer can only be cut off.
 * Either way the front reports it (`http.integration-failed`, with the status the client got).
 * The function keeps running when the front stops waiting, as AWS warns it may.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/response-transfer-mode.html
 */
export function streamRestIntegration(c: RestStreamCall): Promise<void> {
  const requestId = c.invoker.newRequestId();
  const report = (answer: HttpAnswer, reason: string, detail?: string, cutOff?: boolean) => reportFailure(c.telemetry, c.scope, requestId, answer, reason, detail, cutOff);
  const fail = (answer: HttpAnswer, reason: string, detail?: string) => {
    if (c.res.headersSent) {
      // The status went out: the client can only see the body cut short.
      report({ ...answer, statusCode: c.res.statusCode }, reason, detail, true);
      return sink.abort();
    }
    sink.stop();
    if (!c.res.destroyed) writeAnswer(c.res, report(answer, reason, detail), c.front);
  };
  const sink = new HttpStreamSink(c.res, c.front, (why) => writeAnswer(c.res, report(INTEGRATION_FAILED(), MALFORMED_REASON, why), c.front), REST_PRELUDE);
  const idleMs = positiveIntegerVariable("LAMBDA_SIM_REST_STREAM_IDLE_TIMEOUT_MS", STREAM_IDLE_TIMEOUT_MS);
  return new Promise<void>((resolve) => {
    let over = false;
    const end = () => {
      over = true;
      whole.cancel();
      idle.cancel();
      resolve();
    };
    const timeUp = (detail: string) => {
      if (over) return;
      fail(TIMED_OUT(), TIMEOUT_REASON, detail);
      end();
    };
    const whole = stopwatch.after(c.timeoutMs, () => timeUp(`the stream did not end within the integration timeout (${c.timeoutMs} ms)`));
    let idle = stopwatch.after(idleMs, () => timeUp(`nothing streamed for ${idleMs} ms (the idle timeout)`));
    const watched: ResponseSink = {
      resolved: () => sink.resolved(),
      start: (type) => sink.start(type),
      write: (chunk) => {
        if (over) return true;
        idle.cancel();
        idle = stopwatch.after(idleMs, () => timeUp(`nothing streamed for ${idleMs} ms (the idle timeout)`));
        return sink.write(chunk);
      },
      onDrain: (resume) => sink.onDrain(resume),
    };
    const payload = Buffer.from(JSON.stringify(c.event), "utf8");
    c.invoker.invoke({ functionName: c.functionName, payload, invocationType: "RequestResponse", requestId, responseSink: watched, via: c.via }).then(
      (out) => {
        if (over) return;
        if (out.kind !== "result" || c.res.destroyed || sink.stopped) return end();
        const r = out.result;
        if (r.errorType !== undefined) {
          const e = functionError(r.payload);
          fail(BAD_RESPONSE(), functionErrorReason(e.errorMessage, requestId), e.errorType);
          return end();
        }
        // A handler that does not stream answers in one piece: InvokeWithResponseStream sends it as
        // one chunk, read like any stream (without metadata and delimiter: the 500 AWS documents).
        if (!sink.started) {
          sink.start("application/json");
          if (r.payload.length > 0) sink.write(r.payload);
        }
        sink.finish();
        end();
      },
      (e: unknown) => {
        if (over) return;
        if (isAwsError(e) && e.statusCode === 429) fail(INTEGRATION_FAILED(), invocationFailedReason("429"), "Lambda throttled the call (TooManyRequestsException)");
        else fail(INTEGRATION_FAILED(), invocationFailedReason(String(isAwsError(e) ? e.statusCode : 500)), `Lambda refused the call (${isAwsError(e) ? e.code : "ServiceException"})`);
        end();
      },
    );
  });
}
