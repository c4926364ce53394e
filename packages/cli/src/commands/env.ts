import { resolveEndpoint } from "../client/endpoint.ts";

export interface EnvOptions {
  endpoint?: string;
  region?: string;
}

/**
 * `lambda-sim env`: the exports that point the AWS CLI and SDKs (and lambda-sim's own client
 * commands) at a running simulator, for `eval "$(lambda-sim env)"`. The credentials are fake:
 * lambda-sim accepts any (README "Not simulated"), but the SDKs refuse to sign without some.
 * AWS CLI v2 before 2.13 ignores AWS_ENDPOINT_URL: pass it --endpoint-url "$AWS_ENDPOINT_URL".
 */
export function envCommand(opts: EnvOptions): void {
  const region = opts.region ?? (process.env.AWS_REGION || undefined) ?? "us-east-1";
  const vars: [string, string][] = [
    ["AWS_ENDPOINT_URL", resolveEndpoint(opts.endpoint)],
    ["AWS_REGION", region],
    // boto3 and the AWS CLI read AWS_DEFAULT_REGION, the JS SDK AWS_REGION.
    ["AWS_DEFAULT_REGION", region],
    ["AWS_ACCESS_KEY_ID", process.env.AWS_ACCESS_KEY_ID || "test"],
    ["AWS_SECRET_ACCESS_KEY", process.env.AWS_SECRET_ACCESS_KEY || "test"],
  ];
  process.stdout.write(vars.map(([k, v]) => `export ${k}=${shellQuote(v)}\n`).join(""));
}

function shellQuote(v: string): string {
  return /^[\w@%+=:,./-]+$/.test(v) ? v : `'${v.replaceAll("'", `'\\''`)}'`;
}
