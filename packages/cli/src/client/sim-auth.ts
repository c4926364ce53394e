import { Option } from "commander";
import { simToken } from "@lambda-sim/core/sim-token";

/**
 * The bearer a client command (`tail`, `clock`) sends to `/_sim` of a simulator started with
 * `--auth`: `--token`, else LAMBDA_SIM_TOKEN (the token in the dashboard address `start` prints),
 * else the token derived from the secret access key `start --auth` reads
 * (LAMBDA_SIM_SECRET_ACCESS_KEY), else from the one the AWS tools sign with (AWS_SECRET_ACCESS_KEY).
 * A secret is never sent itself, only its token. Without --auth the simulator ignores the header.
 */
export function simAuthHeaders(flag?: string, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const token = [flag, env.LAMBDA_SIM_TOKEN].find((t) => t !== undefined && t !== "");
  const secret = [env.LAMBDA_SIM_SECRET_ACCESS_KEY, env.AWS_SECRET_ACCESS_KEY].find((s) => s !== undefined && s !== "");
  const bearer = token ?? (secret === undefined ? undefined : simToken(secret));
  return bearer === undefined ? {} : { authorization: `Bearer ${bearer}` };
}

/** `--token <token>` for the client commands that call `/_sim`. */
export function tokenOption(): Option {
  return new Option("--token <token>", "the /_sim token of a simulator started with --auth (default: $LAMBDA_SIM_TOKEN, else derived from $LAMBDA_SIM_SECRET_ACCESS_KEY or $AWS_SECRET_ACCESS_KEY)");
}

/** What to tell a user whom the simulator refused (401). */
export function unauthorizedHint(endpoint: string): string {
  return `the simulator at ${endpoint} runs with --auth and refused the token: pass --token (the token= part of the dashboard address \`lambda-sim start\` printed), set LAMBDA_SIM_TOKEN, or set LAMBDA_SIM_SECRET_ACCESS_KEY to the secret it was started with`;
}
