/**
 * Environment-variable rules Lambda enforces at configuration time (aws-facts §2.3): keys match
 * `[a-zA-Z]([a-zA-Z0-9_])+`, reserved keys cannot be set, and the variables total at most 4 KB.
 * Used by both the CreateFunction/UpdateFunctionConfiguration API and lambda-sim.yaml validation.
 */
export const RESERVED_ENVIRONMENT_KEYS: readonly string[] = [
  "_HANDLER",
  "_X_AMZN_TRACE_ID",
  "AWS_REGION",
  "AWS_EXECUTION_ENV",
  "AWS_LAMBDA_FUNCTION_NAME",
  "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
  "AWS_LAMBDA_FUNCTION_VERSION",
  "AWS_LAMBDA_INITIALIZATION_TYPE",
  "AWS_LAMBDA_LOG_GROUP_NAME",
  "AWS_LAMBDA_LOG_STREAM_NAME",
  "AWS_ACCESS_KEY",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_LAMBDA_RUNTIME_API",
  "LAMBDA_TASK_ROOT",
  "LAMBDA_RUNTIME_DIR",
];

const KEY_PATTERN = /^[a-zA-Z][a-zA-Z0-9_]+$/;
/** ADG23 limits: "Function environment variables: 4 KB" (measured on the JSON of the map). */
export const ENVIRONMENT_MAX_BYTES = 4096;

/** Returns the AWS InvalidParameterValueException message for `vars`, or undefined when valid. */
export function environmentProblem(vars: Record<string, string>): string | undefined {
  const bad = Object.keys(vars).find((k) => !KEY_PATTERN.test(k));
  if (bad !== undefined) {
    return `1 validation error detected: Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]`;
  }
  const reserved = Object.keys(vars).filter((k) => RESERVED_ENVIRONMENT_KEYS.includes(k));
  if (reserved.length > 0) {
    return (
      "Lambda was unable to configure your environment variables because the environment variables you have " +
      `provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(", ")}`
    );
  }
  const measured = JSON.stringify(vars);
  if (Buffer.byteLength(measured) > ENVIRONMENT_MAX_BYTES) {
    return (
      "Lambda was unable to configure your environment variables because the environment variables you have " +
      `provided exceeded the 4KB limit. String measured: ${measured}`
    );
  }
  return undefined;
}
