import { serviceModel, validationMessage, type AwsError, type Operation, type ProtocolErrors, type SourceContext } from "@lambda-sim/core";
import { metricsErrors } from "./metrics-errors.ts";

const errors: ProtocolErrors = {
  serialization: (message) => metricsErrors.serialization(message),
  validation: (violations) => {
    const v = violations[0]!;
    return v.kind === "required" && !v.name.includes(".") ? metricsErrors.missingParameter(`The parameter ${v.name} is required.`) : metricsErrors.invalidValue(validationMessage(violations));
  },
  unknownOperation: metricsErrors.unknownOperation,
  internal: metricsErrors.internal,
};

/**
 * CloudWatch (signing name `monitoring`) on the two protocols its clients speak: AWS JSON 1.0 with
 * `X-Amz-Target: GraniteServiceVersion20100801.<Op>` and awsQueryCompatible errors (the current
 * JS SDK v3), and the query protocol with XML answers (`Action=GetMetricStatistics&Version=
 * 2010-08-01`: Debian's awscli 2.9, boto3 of that era). botocore's newest model lists
 * smithy-rpc-v2-cbor first; SDKs that pick CBOR are refused with a message saying so.
 */
export function registerMetricsProtocols(ctx: SourceContext, operations: Record<string, Operation>): void {
  const model = serviceModel("cloudwatch");
  ctx.router.addJsonService({
    signingName: "monitoring",
    targetPrefix: "GraniteServiceVersion20100801",
    jsonVersion: "1.0",
    model,
    operations,
    errors,
    queryCompatible: { errorType: (e: AwsError) => e.code },
    checkRequest: (req) => {
      if (String(req.headers["content-type"] ?? "").includes("cbor") || req.headers["smithy-protocol"] === "rpc-v2-cbor") {
        throw metricsErrors.invalidValue("lambda-sim speaks CloudWatch over AWS JSON 1.0 and the query protocol, not Smithy RPC v2 CBOR: configure the client for JSON.");
      }
    },
  });
  ctx.router.addQueryService({
    signingName: "monitoring",
    model,
    operations,
    errors: { ...errors, unknownOperation: metricsErrors.invalidAction },
    xmlNamespace: "http://monitoring.amazonaws.com/doc/2010-08-01/",
  });
}
