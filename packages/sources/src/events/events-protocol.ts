import { AwsError, serviceModel, validationMessage, type Operation, type SourceContext } from "@lambda-sim/core";
import { eventsErrors } from "../schedules/schedule-errors.ts";

type Operations = Record<string, Operation>;

/**
 * EventBridge over AWS JSON 1.1 (`X-Amz-Target: AWSEvents.<Op>`): inputs checked against
 * botocore's events 2015-10-07 model; errors `{"__type": code, "message": ...}`, all 400.
 *
 * One API, served by two sources: schedules (scheduled rules on the default bus) and events
 * (buses, pattern rules, PutEvents). Each extends the operations registered before it on this
 * simulator's router (AwsRouter.jsonOperations), so the events source can route a rule's calls to
 * the source that owns the rule.
 */
export function extendEventsProtocol(ctx: SourceContext, extend: (existing: Operations) => Operations): void {
  const operations = extend({ ...ctx.router.jsonOperations("events") });
  ctx.router.addJsonService({
    signingName: "events",
    targetPrefix: "AWSEvents",
    jsonVersion: "1.1",
    model: serviceModel("events"),
    operations,
    errors: {
      serialization: (message) => new AwsError("SerializationException", 400, message, { messageKey: "message" }),
      validation: (violations) => eventsErrors.validation(validationMessage(violations)),
      unknownOperation: eventsErrors.unknownOperation,
      internal: () => new AwsError("InternalException", 500, "An internal error occurred.", { messageKey: "message" }),
    },
  });
}
