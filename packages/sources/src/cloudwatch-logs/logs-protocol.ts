import { serviceModel, validationMessage, type Operation, type SourceContext } from "@lambda-sim/core";
import { logsErrors } from "./logs-errors.ts";

/**
 * CloudWatch Logs over AWS JSON 1.1 (botocore logs 2014-03-28): `X-Amz-Target: Logs_20140328.<Op>`,
 * timestamps as epoch milliseconds (longs in the model), signing name `logs`. Inputs are checked
 * against the model before an operation runs.
 */
export function registerLogsProtocol(ctx: SourceContext, operations: Record<string, Operation>): void {
  ctx.router.addJsonService({
    signingName: "logs",
    targetPrefix: "Logs_20140328",
    jsonVersion: "1.1",
    model: serviceModel("logs"),
    operations,
    errors: {
      serialization: (message) => logsErrors.serialization(message),
      validation: (violations) => logsErrors.invalidParameter(validationMessage(violations)),
      unknownOperation: logsErrors.unknownOperation,
      internal: logsErrors.internal,
    },
  });
}
