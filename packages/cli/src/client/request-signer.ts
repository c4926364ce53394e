import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";

/** Keys a client command signs with: the ones `start --auth` reads (LAMBDA_SIM_ACCESS_KEY_ID...), else the AWS tools'. */
export interface SigningKeys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export function signingKeys(env: NodeJS.ProcessEnv = process.env): SigningKeys | undefined {
  // As sim-auth.ts and `start --auth` choose: the simulator's own keys first (a shell often holds real AWS keys too).
  if (env.LAMBDA_SIM_ACCESS_KEY_ID && env.LAMBDA_SIM_SECRET_ACCESS_KEY) return { accessKeyId: env.LAMBDA_SIM_ACCESS_KEY_ID, secretAccessKey: env.LAMBDA_SIM_SECRET_ACCESS_KEY };
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) return { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN || undefined };
  return undefined;
}

type Data = string | ArrayBuffer | ArrayBufferView;
const bytes = (d: Data): string | Uint8Array => (typeof d === "string" ? d : d instanceof ArrayBuffer ? new Uint8Array(d) : new Uint8Array(d.buffer, d.byteOffset, d.byteLength));

/** SignatureV4's hash, on node:crypto (what @smithy/hash-node does, without one more dependency). */
class Sha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: Data) {
    this.hash = secret === undefined ? createHash("sha256") : createHmac("sha256", bytes(secret));
  }
  update(data: Data): void {
    this.hash.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}

/**
 * The headers of `url` signed with AWS Signature Version 4 for `service`, as the SDKs sign (AWS's
 * signer, @smithy/signature-v4, loaded only here: a simulator without --auth never asks for it).
 */
export async function signedHeaders(url: URL, method: string, headers: Record<string, string>, body: Uint8Array, service: string, keys: SigningKeys, env: NodeJS.ProcessEnv = process.env): Promise<Record<string, string>> {
  const { SignatureV4 } = await import("@smithy/signature-v4");
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || "us-east-1";
  const signer = new SignatureV4({ service, region, credentials: keys, sha256: Sha256 });
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = v;
  const signed = await signer.sign({
    method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port === "" ? undefined : Number(url.port),
    path: url.pathname,
    query,
    headers: { ...headers, host: url.host },
    body,
  });
  return signed.headers;
}
