import type { MockEntry } from "./api-config.ts";
import type { HttpAnswer } from "./payload-v2.ts";
import { renderTemplate, type TemplateScope } from "./mapping-template.ts";
import { INTEGRATION_FAILED, UNSUPPORTED_MEDIA_TYPE } from "./rest-answers.ts";

/** What a mock integration needs of the request. */
export interface MockRequest {
  /** The first Content-Type and Accept header values, if any. */
  contentType: string | undefined;
  accept: string | undefined;
  body: Buffer;
  scope: TemplateScope;
}

interface Response {
  statusCode: number;
  headers: [string, string][];
  templates: [string, string][];
}

/**
 * A REST API method's MOCK integration: API Gateway answers from the method's own configuration.
 * The request template for the request's media type renders `{"statusCode": 200}`; that status
 * picks the integration response whose pattern matches it (or `default`), and that response's
 * status, literal `method.response.header.*` values and response template are the answer.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-mock-integration.html
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-integration-responses.html
 */
export class MockIntegration {
  private readonly requestTemplates: Map<string, string>;
  private readonly passthrough: MockEntry["passthroughBehavior"];
  private readonly patterns: { pattern: RegExp; response: Response }[] = [];
  private readonly fallback: Response | undefined;

  constructor(entry: MockEntry) {
    this.requestTemplates = new Map(Object.entries(entry.requestTemplates).map(([type, t]) => [type.toLowerCase(), t]));
    this.passthrough = entry.passthroughBehavior;
    let fallback: Response | undefined;
    for (const [key, r] of Object.entries(entry.responses)) {
      const response: Response = {
        statusCode: Number(r.statusCode),
        // Only `'literal'` values: a mock has no integration headers or body to map from (our choice: others are skipped, and said at start).
        headers: Object.entries(r.responseParameters).flatMap(([k, v]) => {
          const header = /^method\.response\.header\.(.+)$/.exec(k)?.[1];
          const literal = /^'(.*)'$/s.exec(v)?.[1];
          return header === undefined || literal === undefined ? [] : [[header, literal] as [string, string]];
        }),
        templates: Object.entries(r.responseTemplates).map(([type, t]) => [type.toLowerCase(), t]),
      };
      // The pattern must match the whole status code (API Gateway's selection patterns are Java regular expressions, matched whole).
      if (key === "default") fallback = response;
      else this.patterns.push({ pattern: new RegExp(`^(?:${key})$`), response });
    }
    this.fallback = fallback;
  }

  answer(req: MockRequest): HttpAnswer {
    // "If the Content-Type header is absent, API Gateway assumes application/json" (integration-passthrough-behaviors.html).
    const type = mediaType(req.contentType) ?? "application/json";
    const template = this.requestTemplates.get(type);
    let integrationBody: string;
    if (template !== undefined) integrationBody = renderTemplate(template, req.scope);
    else if (this.passthrough === "NEVER" || (this.passthrough === "WHEN_NO_TEMPLATES" && this.requestTemplates.size > 0)) return UNSUPPORTED_MEDIA_TYPE();
    else integrationBody = req.body.toString("utf8");
    const status = statusCodeOf(integrationBody);
    // No integer statusCode, or no response for it and no default: a 500, as LocalStack's mock
    // integration answers (its log: "Unable to parse statusCode. It should be an integer that is
    // defined in the request template"). AWS's guide says a mock "without defining the integration
    // request mapping template" returns the default response "with appropriate passthrough
    // behaviors": read here as a passed-through body that carries the statusCode. The reason is not
    // printed (http.integration-failed names a function's invocation; a mock has none).
    if (status === undefined) return INTEGRATION_FAILED();
    const response = this.patterns.find((p) => p.pattern.test(String(status)))?.response ?? this.fallback;
    if (response === undefined) return INTEGRATION_FAILED();
    const headers: Record<string, string> = { "content-type": "application/json" };
    for (const [name, value] of response.headers) {
      for (const k of Object.keys(headers)) if (k.toLowerCase() === name.toLowerCase()) delete headers[k];
      headers[name] = value;
    }
    const body = responseTemplate(response.templates, mediaType(req.accept));
    // No template: the integration response's body, which a mock does not have.
    return { statusCode: response.statusCode, headers, cookies: [], body: Buffer.from(body === undefined ? "" : renderTemplate(body, req.scope), "utf8") };
  }
}

/**
 * The response template for the client's Accept media type; else application/json's; else the
 * first declared (LocalStack's reading of AWS; the API Gateway docs do not say). The answer's
 * Content-Type stays application/json unless a response parameter sets it, whichever template.
 */
function responseTemplate(templates: [string, string][], accept: string | undefined): string | undefined {
  if (templates.length === 0) return undefined;
  const find = (type: string | undefined) => templates.find(([t]) => t === type)?.[1];
  return find(accept) ?? find("application/json") ?? templates[0]![1];
}

/** "application/json; charset=utf-8" → "application/json"; undefined for none. Only the first of several values counts. */
function mediaType(value: string | undefined): string | undefined {
  const first = value?.split(",", 1)[0]?.split(";", 1)[0]?.trim().toLowerCase();
  return first === undefined || first === "" ? undefined : first;
}

/** The integer `statusCode` of the integration request's JSON body, if it has one. */
function statusCodeOf(body: string): number | undefined {
  try {
    const parsed = JSON.parse(body) as { statusCode?: unknown } | null;
    const code = parsed?.statusCode;
    return typeof code === "number" && Number.isInteger(code) ? code : undefined;
  } catch {
    return undefined;
  }
}
