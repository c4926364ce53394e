import { lambdaErrors } from "../errors/lambda-errors.ts";
import type { ResolvedInvocationTarget } from "./function-model.ts";

/**
 * FunctionName forms Lambda accepts (aws-facts §1.1): `name`, `name:qualifier`, the full ARN
 * `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]` and the partial ARN
 * `<account>:function:<name>[:<qualifier>]`.
 */
export function parseFunctionName(input: string): { name: string; qualifier?: string } {
  const parts = input.split(":");
  if (parts[0] === "arn" && parts.length >= 7) return { name: parts[6]!, qualifier: parts[7] };
  if (parts.length >= 3 && parts[1] === "function") return { name: parts[2]!, qualifier: parts[3] };
  if (parts.length === 2) return { name: parts[0]!, qualifier: parts[1] };
  return { name: input };
}

/**
 * The function ARN `nameOrArn` is when it is a full or partial ARN of another account than
 * `accountId`: it names none of this account's functions, whatever its name (newuser12 N1-2: a
 * production account id hard-coded in an ARN passed locally and failed on AWS).
 */
export function elsewhereArn(nameOrArn: string, region: string, accountId: string): string | undefined {
  if (!nameOrArn.includes(":")) return undefined;
  const parts = nameOrArn.split(":");
  const full = parts[0] === "arn" && parts.length >= 7;
  const account = full ? parts[4] : parts.length >= 3 && parts[1] === "function" ? parts[0] : undefined;
  if (account === undefined || account === accountId) return undefined;
  return full ? parts.slice(0, 7).join(":") : `arn:aws:lambda:${region}:${account}:function:${parts[2]}`;
}

/**
 * FunctionName plus the operation's `Qualifier` parameter → the function and the one qualifier
 * they name. The API reference's "You can append a version number or alias to any of the
 * formats" (GetFunction, GetPolicy, PutFunctionEventInvokeConfig, ...): the name's own qualifier
 * counts as the parameter would; both given and different is AWS's InvalidParameterValueException
 * (EventBridge Scheduler user guide, troubleshooting universal targets, quotes its message).
 */
export function qualifiedFunctionName(functionName: string, qualifier: string | undefined): { name: string; qualifier?: string } {
  const parsed = parseFunctionName(functionName);
  if (parsed.qualifier !== undefined && qualifier !== undefined && parsed.qualifier !== qualifier) {
    throw lambdaErrors.invalidParameterValue("The derived qualifier from the function name does not match the specified qualifier.");
  }
  const q = qualifier ?? parsed.qualifier;
  return q === undefined ? { name: parsed.name } : { name: parsed.name, qualifier: q };
}

/**
 * FunctionName of an operation that acts on the function itself (UpdateFunctionConfiguration,
 * UpdateFunctionCode, PublishVersion, Put/Get/DeleteFunctionConcurrency, Create/Update/DeleteAlias):
 * their API reference lists only the unqualified forms. What AWS answers for `fn:1` there is not
 * recorded anywhere we found; refusing it, rather than acting on $LATEST, is our choice.
 */
export function unqualifiedFunctionName(functionName: string, operation: string): string {
  const { qualifier } = parseFunctionName(functionName);
  if (qualifier !== undefined) {
    throw lambdaErrors.invalidParameterValue(
      `${operation} acts on the function, not on a version or alias: name it without the qualifier ':${qualifier}' (${functionName}).`,
    );
  }
  return functionName;
}

/**
 * FunctionName of an operation that reads the function's versions or aliases (GetAlias,
 * ListAliases, ListVersionsByFunction): their model takes a qualified name, their API reference
 * lists only the unqualified forms, and what AWS answers for `fn:live` is not recorded anywhere we
 * found. LocalStack's provider reads the function's name out of it (get_function_name) and answers
 * for the function; so do we.
 */
export function functionNameOf(functionName: string): string {
  return parseFunctionName(functionName).name;
}

/** Lambda's LastModified format: `2019-11-14T18:16:05.568+0000`. */
export function awsTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "+0000");
}

/** The qualifier a resolved target was invoked with (a version or an alias), undefined when unqualified. */
export function qualifierOf(target: ResolvedInvocationTarget): string | undefined {
  const arn = target.invokedFunctionArn;
  const parts = arn.split(":");
  return parts.length > 7 ? parts[7] : undefined;
}
