import { AwsError } from "../../errors/aws-error.ts";
import { lambdaErrors } from "../../errors/lambda-errors.ts";

/**
 * Smithy constraint failures, worded as the service words them:
 * `1 validation error detected: Value '64' at 'memorySize' failed to satisfy constraint: ...`.
 */
export function validationError(value: unknown, member: string, constraint: string): AwsError {
  return new AwsError("ValidationException", 400, `1 validation error detected: Value '${String(value)}' at '${member}' failed to satisfy constraint: ${constraint}`, { messageKey: "message" });
}

export function intInRange(value: unknown, member: string, min: number, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value)) throw lambdaErrors.invalidParameterValue(`Value '${String(value)}' at '${member}' must be an integer.`);
  if (value < min) throw validationError(value, member, `Member must have value greater than or equal to ${min}`);
  if (value > max) throw validationError(value, member, `Member must have value less than or equal to ${max}`);
  return value;
}

export function matches(value: unknown, member: string, pattern: RegExp, source: string, maxLength: number): string {
  if (typeof value !== "string" || value.length === 0) throw validationError(value ?? "null", member, "Member must not be null");
  if (value.length > maxLength) throw validationError(value, member, `Member must have length less than or equal to ${maxLength}`);
  if (!pattern.test(value)) throw validationError(value, member, `Member must satisfy regular expression pattern: ${source}`);
  return value;
}

/** Function names in CreateFunction: 1-64 characters of [a-zA-Z0-9-_]. */
export const FUNCTION_NAME = /^[a-zA-Z0-9-_]+$/;
/** Alias names (aws-facts §11): not all digits, 1-128 characters of [a-zA-Z0-9-_]. */
export const ALIAS_NAME = /^(?!^[0-9]+$)([a-zA-Z0-9-_]+)$/;

/** An enum member: undefined when absent, else one of `values` (ValidationException otherwise). */
export function oneOf<T extends string>(value: unknown, member: string, values: readonly T[]): T | undefined {
  if (value === undefined || value === null) return undefined;
  if (!(values as readonly unknown[]).includes(value)) throw validationError(value, member, `Member must satisfy enum value set: [${values.join(", ")}]`);
  return value as T;
}
