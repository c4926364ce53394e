import type { FunctionDefinition } from "@lambda-sim/core";
import type { LoadedConfig } from "./load-config.ts";

/** AWS's unreserved minimum: 100, or the whole limit on an account whose limit is below 100. */
const AWS_UNRESERVED_MINIMUM = 100;

/**
 * lambda-sim.yaml's reservedConcurrency against `account:`, checked when the file loads so the
 * error names file and line like every other config error (F4). The rule is PutFunctionConcurrency's
 * (aws-facts: the account keeps at least its unreserved minimum, 100, unreserved; an account whose
 * limit is below 100 keeps all of it, so nothing is reservable): the function whose reservation
 * crosses it, in file order, gets AWS's message, plus what to change in the file.
 */
export function checkReservedConcurrency(functions: readonly FunctionDefinition[], account: LoadedConfig["account"], path: string, lineAt: (p: readonly PropertyKey[]) => number | undefined): string[] {
  const limit = account.concurrentExecutions;
  const minimum = account.unreservedConcurrencyMinimum ?? Math.min(AWS_UNRESERVED_MINIMUM, limit);
  let reserved = 0;
  for (const f of functions) {
    if (f.reservedConcurrency === undefined) continue;
    if (limit - (reserved + f.reservedConcurrency) >= minimum) {
      reserved += f.reservedConcurrency;
      continue;
    }
    const line = lineAt(["functions", f.functionName, "reservedConcurrency"]);
    const reservable = Math.max(0, limit - minimum - reserved);
    const hint =
      account.unreservedConcurrencyMinimum === undefined
        ? `account.concurrentExecutions ${limit} must keep ${minimum} unreserved (AWS's minimum is 100, or the whole limit below 100), ` +
          `so ${reservable === 0 ? "nothing is" : `only ${reservable} more is`} reservable. ` +
          `To show throttling with a small account, set a smaller minimum, e.g. account: { concurrentExecutions: ${limit}, unreservedConcurrencyMinimum: 10 }, or raise concurrentExecutions`
        : `account.concurrentExecutions ${limit} with account.unreservedConcurrencyMinimum ${minimum} leaves ${reservable === 0 ? "nothing" : `only ${reservable} more`} reservable: ` +
          `lower the reservations, lower account.unreservedConcurrencyMinimum, or raise account.concurrentExecutions`;
    return [
      `${path}:${line ?? ""} functions.${f.functionName}.reservedConcurrency: Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${minimum}]. ${hint}`,
    ];
  }
  return [];
}
