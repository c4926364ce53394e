import { AwsError } from "../../errors/aws-error.ts";
import { lambdaErrors } from "../../errors/lambda-errors.ts";
import { validationMessage } from "../../protocols/input-validator.ts";
import type { RestServiceSpec } from "../../protocols/rest-input.ts";
import { serviceModel } from "../../protocols/service-model.ts";

/**
 * Lambda's REST-JSON API as the router checks it: botocore's lambda 2015-03-31 model, and the
 * service's wording of what fails before an operation runs. Constraint failures are Coral's
 * `ValidationException` (`1 validation error detected: Value '64' at 'memorySize' ...`, message
 * key `message`); a body that is not a JSON object, or a member of the wrong kind, is a
 * SerializationException as before.
 */
export function lambdaRestSpec(): RestServiceSpec {
  return {
    signingName: "lambda",
    model: serviceModel("lambda"),
    errors: {
      serialization: (message) => new AwsError("SerializationException", 400, message === "Could not parse the request body as JSON" ? "Could not parse request body into json" : message),
      validation: (violations) => new AwsError("ValidationException", 400, validationMessage(violations), { messageKey: "message" }),
      unknownOperation: (name) => new AwsError("UnknownOperationException", 404, `Unknown operation ${name}`),
      internal: () => lambdaErrors.service("An internal error occurred."),
    },
  };
}
