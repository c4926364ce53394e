import { serviceModel, validationMessage, type Operation, type ProtocolErrors, type SourceContext } from "@lambda-sim/core";
import { snsErrors } from "./sns-errors.ts";

/**
 * How SNS words what fails before an operation runs: a missing top-level parameter is
 * InvalidParameter "Invalid parameter: SubscriptionArn Reason: no value for required parameter"
 * (AWS-recorded for Unsubscribe); nested constraints are Coral's ValidationError
 * ("1 validation error detected: Value null at 'messageAttributes.x.member.dataType' ...").
 */
const errors: ProtocolErrors = {
  serialization: (message) => snsErrors.invalidParameter(message),
  validation: (violations) => {
    const v = violations[0]!;
    return v.kind === "required" && !v.name.includes(".") ? snsErrors.invalidParameter(`${v.name} Reason: no value for required parameter`) : snsErrors.validation(validationMessage(violations));
  },
  unknownOperation: snsErrors.invalidAction,
  internal: snsErrors.internal,
};

/** The links in notifications (`SubscribeURL`, `UnsubscribeURL`): unsigned GETs to the endpoint's root. */
const LINK_PATH = /^\/\?(.*&)?Action=(ConfirmSubscription|Unsubscribe)(&|$)/;

/**
 * SNS on the query protocol (`Action=Publish&Version=2010-03-31`, XML answers), the only one its
 * SDKs speak (JS SDK v3 AwsQueryProtocol, boto3, the CLI). The links SNS puts in notifications
 * (SubscribeURL, UnsubscribeURL) are plain GETs: routed here by their query string.
 */
export function registerSnsProtocol(ctx: SourceContext, operations: Record<string, Operation>): void {
  ctx.router.addQueryService(
    {
      signingName: "sns",
      model: serviceModel("sns"),
      operations,
      errors,
      // Names and attribute values are checked by hand, with SNS's wording.
      enforce: { patterns: false, enums: false },
      xmlNamespace: "http://sns.amazonaws.com/doc/2010-03-31/",
    },
    [LINK_PATH],
  );
}
