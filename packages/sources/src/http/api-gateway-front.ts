import type { IncomingMessage, ServerResponse } from "node:http";
import type { Clock, RandomStream } from "@lambda-sim/core";
import { decode, headerValues, httpRequestOf } from "./http-request.ts";
import type { ApiHandler } from "./api-request.ts";
import { HTTP_MAX_PAYLOAD } from "./http-api.ts";
import { REST_MAX_PAYLOAD } from "./rest-api.ts";
import { messageAnswer, writeAnswer } from "./write-answer.ts";

/** Path form of an API address: `/_aws/execute-api/{apiId}/{stage}/{path}` (LocalStack's convention). */
export const EXECUTE_API_PREFIX = "/_aws/execute-api/";
/** Host form: `{apiId}.execute-api.localhost:PORT/{stage}/{path}`. */
export const EXECUTE_API_HOST_LABEL = ".execute-api.";

const HOST_FORM = /^([a-z0-9]+)\.execute-api\./;
/** REST and HTTP APIs both take 10 MB at most (REST_MAX_PAYLOAD, HTTP_MAX_PAYLOAD): past it the API's 413. */
export const API_MAX_BODY_BYTES = Math.max(REST_MAX_PAYLOAD, HTTP_MAX_PAYLOAD);
const EMPTY_BODY = Buffer.alloc(0);

/**
 * The execute-api front on the one port: finds the API by the id in the path or the Host, the stage
 * by the first path segment (or `$default` when the API has it and the segment names no stage),
 * builds the request every API kind reads, and writes the API's answer.
 */
export class ApiGatewayFront {
  private readonly apis = new Map<string, ApiHandler>();
  private readonly clock: Clock;
  private readonly ids: RandomStream;

  constructor(clock: Clock, ids: RandomStream) {
    this.clock = clock;
    this.ids = ids;
  }

  add(api: ApiHandler): void {
    this.apis.set(api.id, api);
  }

  list(): ApiHandler[] {
    return [...this.apis.values()];
  }

  readonly handle = (req: IncomingMessage, res: ServerResponse, body: Buffer, requestId: string): Promise<void> => this.serve(req, res, body, requestId, false);

  /**
   * A request whose body passed API_MAX_BODY_BYTES (the router stops reading it into memory): the
   * API answers its own 413 (REST `Request Too Long`, HTTP `Request Entity Too Large`), with the
   * headers of any other answer of it, once the API and stage are known.
   */
  readonly refuseTooLarge = (req: IncomingMessage, res: ServerResponse, _body: Buffer, requestId: string): Promise<void> => this.serve(req, res, EMPTY_BODY, requestId, true);

  private async serve(req: IncomingMessage, res: ServerResponse, body: Buffer, requestId: string, bodyTooLarge: boolean): Promise<void> {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    let path = q < 0 ? url : url.slice(0, q);
    const host = req.headers.host ?? (req.headers[":authority"] as string | undefined) ?? "";
    let apiId: string | undefined;
    let domainName: string;
    if (path.startsWith(EXECUTE_API_PREFIX)) {
      const rest = path.slice(EXECUTE_API_PREFIX.length);
      const slash = rest.indexOf("/");
      apiId = slash < 0 ? rest : rest.slice(0, slash);
      path = slash < 0 ? "/" : rest.slice(slash);
      const port = /:(\d+)$/.exec(host)?.[1];
      domainName = `${apiId}.execute-api.localhost${port === undefined ? "" : `:${port}`}`;
    } else {
      apiId = HOST_FORM.exec(host)?.[1];
      domainName = host;
    }
    const api = apiId === undefined ? undefined : this.apis.get(apiId);
    if (api === undefined) return writeAnswer(res, messageAnswer(404, '{"message":"Not Found"}'));
    const stageAndPath = this.stageOf(api, path);
    if (stageAndPath === undefined) {
      const answer = api.protocolType === "REST" ? messageAnswer(403, '{"message":"Missing Authentication Token"}', { "x-amzn-errortype": "MissingAuthenticationTokenException" }) : messageAnswer(404, '{"message":"Not Found"}');
      return writeAnswer(res, answer);
    }
    const http = httpRequestOf(req, path, q < 0 ? "" : url.slice(q + 1), body);
    const rawHeaders = http.rawHeaders;
    const now = this.clock.now();
    const out = await api.handle({
      http,
      stage: stageAndPath.stage,
      path: stageAndPath.path,
      headers: headerValues(rawHeaders),
      domainName,
      requestId,
      extendedRequestId: Buffer.from(this.ids.hex(11), "hex").toString("base64"),
      traceId: `Root=1-${Math.floor(now / 1000).toString(16).padStart(8, "0")}-${this.ids.hex(12)}`,
      timeEpoch: now,
      bodyTooLarge,
      res,
    });
    if (!("streamed" in out) && !res.destroyed) writeAnswer(res, out.answer, out.headers);
  }

  /** `/prod/pets` → prod, /pets; an unknown first segment goes to `$default` when the API has it. */
  private stageOf(api: ApiHandler, path: string): { stage: string; path: string } | undefined {
    const rest = path.slice(1);
    const slash = rest.indexOf("/");
    const first = decode(slash < 0 ? rest : rest.slice(0, slash));
    if (first !== "" && api.stages.includes(first)) return { stage: first, path: slash < 0 ? "/" : rest.slice(slash) };
    if (api.stages.includes("$default")) return { stage: "$default", path };
    return undefined;
  }
}
