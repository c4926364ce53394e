import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { existsSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { pipeline } from "node:stream";
import type { Clock } from "../../clock/clock.ts";
import type { HttpFront } from "../../protocols/aws-router.ts";
import type { FunctionRegistry } from "../../registry/function-registry.ts";
import { zipDirectory } from "../../registry/zip-directory.ts";

/** Where the code downloads are served on the one port. */
export const CODE_PREFIX = "/_aws/lambda-code/";
/** GetFunction's Location: "The URL is valid for up to 10 minutes" (botocore lambda FunctionCodeLocation). */
const VALID_MS = 10 * 60_000;

type Kind = "function" | "layer";
interface Code {
  codeDir: string;
  codeSha256: string;
}

/**
 * GetFunction's `Code.Location` and GetLayerVersion's `Content.Location`: on AWS a presigned S3
 * URL to the deployment package, valid 10 minutes, that `curl -o code.zip "$LOCATION"` fetches
 * with no credentials. Here the same on the simulator's port: the path names the code (function
 * or layer, name, version, CodeSha256), `Expires` is service time (so advancing a virtual clock
 * past it expires the link, as waiting would on AWS) and `Signature` an HMAC with a key made at
 * each start, so a link works until it expires or the simulator restarts, and no other path
 * opens code. Errors are S3's XML ones. The zip is made from the unpacked code (zip-directory.ts).
 */
export class CodeLocations {
  private readonly key = randomBytes(32);
  private readonly registry: FunctionRegistry;
  private readonly clock: Clock;
  private readonly endpoint: string;

  constructor(opts: { registry: FunctionRegistry; clock: Clock; endpoint: string }) {
    this.registry = opts.registry;
    this.clock = opts.clock;
    this.endpoint = opts.endpoint;
  }

  /** The download address of a function version's code. */
  functionLocation(c: { functionName: string; version: string; codeSha256: string }): string {
    return this.location("function", c.functionName, c.version, c.codeSha256);
  }

  /** The download address of a layer version's content. */
  layerLocation(r: { name: string; version: number; codeSha256: string }): string {
    return this.location("layer", r.name, String(r.version), r.codeSha256);
  }

  /** The HTTP front that serves them (found by its path prefix before any AWS routing, unsigned). */
  get front(): HttpFront {
    return { name: "lambda-code", pathPrefix: CODE_PREFIX, hostLabel: ".lambda-code.", handler: (req, res) => this.serve(req, res) };
  }

  private location(kind: Kind, name: string, version: string, sha: string): string {
    const path = `${CODE_PREFIX}${kind}/${encodeURIComponent(name)}/${encodeURIComponent(version)}/${encodeURIComponent(sha)}`;
    const expires = Math.floor((this.clock.now() + VALID_MS) / 1000);
    return `${this.endpoint}${path}?Expires=${expires}&Signature=${this.sign(path, expires)}`;
  }

  private sign(path: string, expires: number): string {
    return createHmac("sha256", this.key).update(`${path}\n${expires}`).digest("hex");
  }

  private serve(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== "GET" && req.method !== "HEAD") return s3Error(res, 405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
    const url = new URL(req.url ?? "/", "http://x");
    // Both as written: Buffer.from(hex) stops at the first other character, and Number() takes
    // "1.0" or "0x..", so a link with anything added to it still matched (newuser9 P1-1).
    const expiresText = url.searchParams.get("Expires") ?? "";
    const expires = /^\d{1,12}$/.test(expiresText) ? Number(expiresText) : NaN;
    const given = Buffer.from(url.searchParams.get("Signature") ?? "", "latin1");
    const wanted = Buffer.from(this.sign(url.pathname, expires), "latin1");
    if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
      return s3Error(res, 403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.");
    }
    if (this.clock.now() > expires * 1000) return s3Error(res, 403, "AccessDenied", "Request has expired");
    const code = this.find(url.pathname);
    if (code === undefined) return s3Error(res, 404, "NoSuchKey", "The specified key does not exist.");
    if (req.method === "HEAD") {
      // The object's headers only: no zip is made (it would open the package's files for nothing).
      if (!existsSync(code.codeDir)) return s3Error(res, 404, "NoSuchKey", "The specified key does not exist.");
      res.writeHead(200, { "Content-Type": "application/zip" }).end();
      return;
    }
    let zip;
    try {
      // A declared folder (or a version's copy of one) without the state directory and the
      // __pycache__ the simulator's runs wrote (CodeStore.leftOut); an uploaded package whole.
      const store = this.registry.code;
      zip = zipDirectory(code.codeDir, store.isUpload(code.codeDir) ? undefined : (p) => store.leftOut(p));
    } catch {
      // Collected meanwhile (the version or layer was deleted): the object is gone.
      return s3Error(res, 404, "NoSuchKey", "The specified key does not exist.");
    }
    // No Content-Length (S3 gives one): the zip is deflated as it is streamed, so its size is known
    // only at its end (yazl can tell it beforehand only for stored, uncompressed entries).
    res.writeHead(200, { "Content-Type": "application/zip" });
    // pipeline: a file gone mid-download ends the answer (the client sees it cut), and a client
    // that goes away destroys the zip, which closes the file it was reading (zip-directory.ts).
    pipeline(zip, res, () => {});
  }

  /** The code a signed path names, while it is still that code (an update since gives another CodeSha256). */
  private find(pathname: string): Code | undefined {
    let code: Code | undefined;
    try {
      const [kind, name, version, sha] = pathname.slice(CODE_PREFIX.length).split("/").map((p) => decodeURIComponent(p));
      if (kind === "function") {
        const rec = this.registry.get(name!);
        code = version === "$LATEST" ? rec.latest : rec.versions.get(version!);
      } else if (kind === "layer") {
        code = this.registry.layers.get(name!, Number(version));
      }
      return code?.codeSha256 === sha ? code : undefined;
    } catch {
      return undefined;
    }
  }
}

function s3Error(res: ServerResponse, status: number, code: string, message: string): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  res.writeHead(status, { "Content-Type": "application/xml", "Content-Length": Buffer.byteLength(body) }).end(body);
}
