import { AwsError } from "../errors/aws-error.ts";
import { lambdaErrors } from "../errors/lambda-errors.ts";
import { compilePattern, type EventMatcher } from "../patterns/event-pattern.ts";
import { isInvalidEventPattern } from "../patterns/invalid-event-pattern.ts";
import { isJsonObject, parseJsonKeepingNumbers } from "../patterns/json-number.ts";

/** Up to 5 filters per mapping by default (aws-facts §6 "Event filtering basics"). */
export const MAX_FILTERS = 5;
/** FilterCriteria.Filters[].Pattern is at most 4,096 characters (BC-L, aws-facts §6). */
export const MAX_PATTERN_CHARS = 4096;

/** A validated filter: the pattern as the user wrote it (for the API response) and its matcher. */
export interface ParsedFilter {
  readonly pattern: string;
  readonly match: EventMatcher;
}

export type ParsedFilters = readonly ParsedFilter[];

/**
 * Lambda's filtering dialect (aws-facts §6; Lambda's operator table has no wildcard or cidr):
 * exact numbers compare as written.
 */
const LAMBDA_DIALECT = { numbers: "as-written", unsupportedOperators: ["wildcard", "cidr"] } as const;

const invalid = () => lambdaErrors.invalidParameterValue("Invalid filter pattern definition.");

/**
 * Parses a record's JSON payload (an SQS body, Kinesis `data`) for `matchesFilters`, keeping each
 * number as written (aws-facts §6: filters compare exact numbers as written, 300 is not 300.0).
 * Throws on text that is not JSON, as JSON.parse does.
 */
export function parseFilterData(text: string): unknown {
  return parseJsonKeepingNumbers(text);
}

/**
 * Validates an event source mapping's FilterCriteria (aws-facts §6 "Event filtering basics": the
 * EventBridge pattern syntax, compiled by the shared matcher in patterns/) and compiles it.
 * Undefined, `{}` or an empty Filters list mean no filtering and give undefined. Throws
 * InvalidParameterValueException "Invalid filter pattern definition." for a pattern that is not valid.
 */
export function parseFilterCriteria(input: { Filters?: { Pattern?: string }[] } | undefined): ParsedFilters | undefined {
  if (input === undefined || input === null) return undefined;
  if (typeof input !== "object") throw invalid();
  const filters = input.Filters;
  if (filters === undefined || filters === null) return undefined;
  if (!Array.isArray(filters)) throw invalid();
  if (filters.length === 0) return undefined;
  // The exact wording of AWS's refusal for a sixth filter is unconfirmed (aws-facts §6).
  if (filters.length > MAX_FILTERS) throw lambdaErrors.invalidParameterValue(`The number of filters exceeds the limit of ${MAX_FILTERS}.`);
  return filters.map((f, i) => {
    const pattern = f?.Pattern;
    if (typeof pattern !== "string") throw invalid();
    if (pattern.length > MAX_PATTERN_CHARS) {
      throw new AwsError(
        "ValidationException",
        400,
        `1 validation error detected: Value '${pattern}' at 'filterCriteria.filters.${i + 1}.member.pattern' failed to satisfy constraint: Member must have length less than or equal to ${MAX_PATTERN_CHARS}`,
        { messageKey: "message" },
      );
    }
    let json: unknown;
    try {
      json = parseJsonKeepingNumbers(pattern);
    } catch {
      throw invalid();
    }
    try {
      return { pattern, match: bodyFormatChecked(json, compilePattern(json as object, LAMBDA_DIALECT)) };
    } catch (e) {
      if (isInvalidEventPattern(e)) throw invalid();
      throw e;
    }
  });
}

/**
 * Lambda's body format check (aws-facts §6): a JSON pattern on a data key (`body`, `data`) never
 * matches a payload that is there but not a JSON object, even `{"exists": false}`; the record is
 * dropped. EventBridge would read such a field as having no nested keys.
 */
function bodyFormatChecked(pattern: unknown, match: EventMatcher): EventMatcher {
  const nested = isJsonObject(pattern) ? Object.keys(pattern).filter((k) => isJsonObject(pattern[k])) : [];
  if (nested.length === 0) return match;
  return (record) => {
    if (isJsonObject(record)) {
      for (const k of nested) {
        const v = record[k];
        if (v !== undefined && !isJsonObject(v) && !Array.isArray(v)) return false;
      }
    }
    return match(record);
  };
}

/**
 * True when the record satisfies at least one filter (filters are ORed), or when there are none.
 * Source-neutral: the caller builds the record (SQS: its record with `body` JSON-parsed when the
 * body is a JSON object; Kinesis: `data` decoded the same way).
 */
export function matchesFilters(filters: ParsedFilters | undefined, record: Record<string, unknown>): boolean {
  if (filters === undefined || filters.length === 0) return true;
  return filters.some((f) => f.match(record));
}
