/**
 * A JSON number with the text it was written as. Lambda's event filtering compares exact numbers
 * as written (aws-facts §6: 300 does not match 300.0), so its events and patterns are parsed
 * keeping each number's text; EventBridge compares their values (event-ruler adds a numeric-equals
 * matcher beside the textual one). Matchers read both plain numbers and JsonNumbers.
 */
export class JsonNumber {
  readonly value: number;
  readonly text: string;
  constructor(value: number, text: string) {
    this.value = value;
    this.text = text;
  }
}

/** JSON.parse keeping each number's source text (the reviver's `context.source`, Node >= 22). */
export function parseJsonKeepingNumbers(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown, context?: { source?: string }) =>
    typeof value === "number" && context?.source !== undefined ? new JsonNumber(value, context.source) : value,
  );
}

/** The value of a number, plain or as written; undefined for anything else. */
export function numberValue(v: unknown): number | undefined {
  return typeof v === "number" ? v : v instanceof JsonNumber ? v.value : undefined;
}

/** The text of a number as written (a plain number's shortest form); undefined for anything else. */
export function numberText(v: unknown): string | undefined {
  return v instanceof JsonNumber ? v.text : typeof v === "number" ? String(v) : undefined;
}

/** An object of the JSON: not an array, not null, not a number kept as written. */
export function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof JsonNumber);
}
