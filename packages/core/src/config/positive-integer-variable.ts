/**
 * A whole number > 0 from lambda-sim's own environment (`LAMBDA_SIM_…_MS`, a byte cap), read when
 * called, or `fallback` when the variable is unset, empty, zero, negative or not a whole number.
 * These variables shorten a limit for tests; a value that cannot be one leaves AWS's figure.
 */
export function positiveIntegerVariable(name: string, fallback: number): number {
  const n = Number(process.env[name]);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}
