import type { IncomingMessage, ServerResponse } from "node:http";
import type { Source } from "@lambda-sim/core";

const NS = "https://sts.amazonaws.com/doc/2011-06-15/";
/** The X-Amz-Target prefix of STS's AWS JSON 1.0 protocol (botocore sts 2011-06-15 model). */
const JSON_TARGET = "AWSSecurityTokenServiceV20110615.";

/**
 * STS, GetCallerIdentity only: the call deploy and test tools make first to learn the account. It
 * answers with the simulated account's root identity, as LocalStack and moto do (any credentials
 * are accepted; IAM is not simulated). AWS reports a root caller as `arn:aws:iam::ACCOUNT:root`
 * with the account ID as UserId (IAM's aws:userid for the root user). Query protocol (form in,
 * XML out: the AWS CLI v2 and SDKs) and AWS JSON 1.0 (X-Amz-Target).
 */
export const stsSource: Source = {
  name: "sts",
  migrations: [],
  start(ctx) {
    const identity = { UserId: ctx.accountId, Account: ctx.accountId, Arn: `arn:aws:iam::${ctx.accountId}:root` };
    ctx.router.addService("sts", (req: IncomingMessage, res: ServerResponse, body: Buffer, requestId: string) => {
      const target = req.headers["x-amz-target"];
      if (typeof target === "string" && target.startsWith(JSON_TARGET)) {
        const action = target.slice(JSON_TARGET.length);
        if (action === "GetCallerIdentity") return send(res, 200, "application/x-amz-json-1.0", JSON.stringify(identity), requestId);
        return send(res, 400, "application/x-amz-json-1.0", JSON.stringify({ __type: "InvalidAction", message: notSimulated(action) }), requestId);
      }
      const url = req.url ?? "/";
      const q = url.indexOf("?");
      const params = new URLSearchParams(q < 0 ? "" : url.slice(q + 1));
      for (const [k, v] of new URLSearchParams(body.toString("utf8"))) params.append(k, v);
      const action = params.get("Action") ?? "";
      if (action === "GetCallerIdentity") {
        const result = Object.entries(identity).map(([k, v]) => `<${k}>${v}</${k}>`).join("");
        const xml = `<GetCallerIdentityResponse xmlns="${NS}"><GetCallerIdentityResult>${result}</GetCallerIdentityResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`;
        return send(res, 200, "text/xml", xml, requestId);
      }
      const xml = `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>${escapeXml(notSimulated(action))}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
      return send(res, 400, "text/xml", xml, requestId);
    });
  },
};

function notSimulated(action: string): string {
  return `Could not find operation ${action} for version 2011-06-15 (lambda-sim simulates only GetCallerIdentity of STS)`;
}

function send(res: ServerResponse, status: number, type: string, body: string, requestId: string): void {
  res.writeHead(status, { "Content-Type": type, "Content-Length": Buffer.byteLength(body), "x-amzn-RequestId": requestId });
  res.end(body);
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
