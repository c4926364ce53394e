/**
 * A pattern that is not valid, with event-ruler's reason text (aws/event-ruler JsonRuleCompiler,
 * which EventBridge runs). Each service words the refusal its own way: EventBridge answers
 * `InvalidEventPatternException: Event pattern is not valid. Reason: <reason>`, Lambda's
 * FilterCriteria `Invalid filter pattern definition.`, SNS its FilterPolicy message; so this is not
 * an AwsError, and each caller wraps `reason`.
 */
export class InvalidEventPatternError extends Error {
  readonly reason: string;
  constructor(reason: string) {
    super(`Event pattern is not valid. Reason: ${reason}`);
    this.name = "InvalidEventPatternError";
    this.reason = reason;
  }
}

export function isInvalidEventPattern(e: unknown): e is InvalidEventPatternError {
  return e instanceof InvalidEventPatternError;
}

export const refuse = (reason: string): never => {
  throw new InvalidEventPatternError(reason);
};
