/**
 * What a REST API's mapping template (Velocity, VTL) can refer to that lambda-sim fills in: a few
 * `$context` variables, `$stageVariables.{name}` and `$input.params('name')`.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html
 */
export interface TemplateScope {
  context: Record<string, string>;
  stageVariables: Record<string, string>;
  /** `$input.params('name')`: the path parameter, else the query string's, else the header's (the reference's order). */
  param(name: string): string | undefined;
}

/**
 * A mapping template rendered as far as lambda-sim can do it safely, with no VTL engine: literal
 * text as written; the references TemplateScope knows (`$context.requestId`, `${context.stage}`,
 * `$!stageVariables.x`, `$input.params('id')`) replaced by their values. Anything else goes out as
 * written: another reference as Velocity writes one it does not know (`$!x` as nothing), and every
 * directive (`#set`, `#if`...) unevaluated, which `unevaluatedVtl` names at start.
 */
export function renderTemplate(template: string, scope: TemplateScope): string {
  return template.replace(REFERENCE, (whole: string, quiet: string, braced: string | undefined, single: string | undefined, double: string | undefined, bare: string | undefined) => {
    const value = lookup(braced ?? bare, single ?? double, scope);
    if (value !== undefined) return value;
    return quiet === "!" ? "" : whole;
  });
}

/**
 * What of a template lambda-sim does not evaluate (its directives, other references), for the
 * start's "not simulated" list; undefined when renderTemplate does all of it.
 */
export function unevaluatedVtl(template: string): string | undefined {
  const directive = DIRECTIVE.exec(template)?.[0];
  if (directive !== undefined) return `VTL directive ${directive.trim()}`;
  for (const m of template.matchAll(REFERENCE)) {
    const name = m[2] ?? m[5];
    if (m[3] !== undefined || m[4] !== undefined || (name !== undefined && known(name))) continue;
    return `VTL reference ${m[0]}`;
  }
  return undefined;
}

/** `$x.y`, `$!x.y`, `${x.y}`, `$!{x.y}`, and `$input.params('name')` (or "name"). */
const REFERENCE = /\$(!?)(?:\{([A-Za-z][\w.]*)\}|input\.params\((?:'([^']*)'|"([^"]*)")\)|([A-Za-z][\w]*(?:\.[A-Za-z_][\w]*)*(?:\([^)]*\))?))/g;
/** Velocity's directives and comments (a `#` elsewhere, as in "#fff", is text). */
const DIRECTIVE = /#\{?(set|if|elseif|else|end|foreach|break|stop|macro|parse|include|evaluate|define)\b|##|#\*/;

/**
 * The `$context` variables lambda-sim fills in: a REST API takes their values from the proxy
 * event's requestContext fields of the same names (rest-api.ts), so both say the same.
 */
export const TEMPLATE_CONTEXT_VARIABLES = ["requestId", "extendedRequestId", "stage", "httpMethod", "resourcePath", "path", "apiId", "domainName", "requestTimeEpoch", "accountId"] as const;
const CONTEXT = new Set<string>(TEMPLATE_CONTEXT_VARIABLES);

function known(name: string): boolean {
  const [head, tail, ...rest] = name.split(".");
  if (rest.length > 0 || tail === undefined) return false;
  return (head === "context" && CONTEXT.has(tail)) || head === "stageVariables";
}

function lookup(name: string | undefined, param: string | undefined, scope: TemplateScope): string | undefined {
  if (param !== undefined) return scope.param(param) ?? "";
  if (name === undefined || !known(name)) return undefined;
  const [head, tail] = name.split(".") as [string, string];
  return head === "context" ? scope.context[tail] : scope.stageVariables[tail];
}
