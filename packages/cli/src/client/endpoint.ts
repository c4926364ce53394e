import { Option } from "commander";

/** Where `lambda-sim start` listens unless told otherwise (`--port`, `--host`). */
export const DEFAULT_ENDPOINT = "http://127.0.0.1:3001";

/**
 * The endpoint a client command (`invoke`, `tail`, `env`, ...) talks to, found the way AWS tools
 * find theirs: the command line first, then `AWS_ENDPOINT_URL` (read by the AWS SDKs and CLIs
 * since 2023, so one export serves both), then lambda-sim's own `LAMBDA_SIM_ENDPOINT`, then the
 * default. Empty variables count as unset, as the SDKs treat them.
 */
export function resolveEndpoint(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  for (const candidate of [flag, env.AWS_ENDPOINT_URL, env.LAMBDA_SIM_ENDPOINT]) {
    if (candidate !== undefined && candidate !== "") return candidate.replace(/\/+$/, "");
  }
  return DEFAULT_ENDPOINT;
}

/** `--endpoint <url>` for every client command; resolve its value with resolveEndpoint(). */
export function endpointOption(): Option {
  return new Option("--endpoint <url>", `simulator endpoint (default: $AWS_ENDPOINT_URL, else $LAMBDA_SIM_ENDPOINT, else ${DEFAULT_ENDPOINT})`);
}

/** ` --endpoint URL` when `endpoint` is not where a client looks by default, else "". */
export function endpointArg(endpoint: string): string {
  return endpoint === DEFAULT_ENDPOINT ? "" : ` --endpoint ${endpoint}`;
}
