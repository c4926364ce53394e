/**
 * A function's asynchronous retry settings as PutFunctionEventInvokeConfig sets them: the
 * registry stores them, the invoker's retry policy (invocation/async-retry-policy.ts) applies them.
 */

/** The event-invoke config that applies (PutFunctionEventInvokeConfig), defaults filled in. */
export interface AsyncRetryConfig {
  maximumRetryAttempts: number;
  maximumEventAgeMs: number;
}

/** PutFunctionEventInvokeConfig defaults and ranges (aws-facts §5, botocore lambda model). */
export const DEFAULT_MAXIMUM_RETRY_ATTEMPTS = 2;
export const DEFAULT_MAXIMUM_EVENT_AGE_SECONDS = 21_600;
export const MAXIMUM_RETRY_ATTEMPTS_RANGE = [0, 2] as const;
export const MAXIMUM_EVENT_AGE_RANGE = [60, 21_600] as const;
