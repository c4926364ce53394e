import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import { compileInputValidator, type InputValidator, type Violation } from "./input-validator.ts";
import type { OperationContext, ServiceSpec } from "./service-spec.ts";

/**
 * The model check every front end runs before an operation: validators compiled once per
 * operation on first use, then a type violation answers the serialiser's error and constraint
 * violations the service's ValidationException (Coral deserialises first, then validates).
 */
export class InputChecks {
  private readonly validators = new Map<string, InputValidator | undefined>();
  private readonly spec: ServiceSpec;
  private readonly strings: boolean;

  constructor(spec: ServiceSpec, strings: boolean) {
    this.spec = spec;
    this.strings = strings;
  }

  check(operation: string, input: Record<string, unknown>): void {
    if (this.spec.model === undefined) return;
    let validate = this.validators.get(operation);
    if (validate === undefined && !this.validators.has(operation)) {
      validate = compileInputValidator(this.spec.model, operation, { strings: this.strings, ...this.spec.enforce });
      this.validators.set(operation, validate);
    }
    const violations = validate?.(input);
    if (violations === undefined) return;
    const type = violations.find((v) => v.kind === "type");
    if (type !== undefined) throw this.spec.errors.serialization(type.constraint, type);
    throw this.spec.errors.validation(violations);
  }
}

/** What an operation gets besides its input; the signal is made on first use, as only long polls listen for the caller leaving. */
export function operationContext(res: ServerResponse, headers: IncomingHttpHeaders, requestId: string): OperationContext {
  let signal: AbortSignal | undefined;
  return {
    requestId,
    headers,
    get signal() {
      return (signal ??= closeSignal(res));
    },
  };
}

/** An AbortSignal that fires when the caller closes the connection before the answer. */
function closeSignal(res: ServerResponse): AbortSignal {
  const abort = new AbortController();
  // "close" also follows every answer sent: aborting then would cost a DOMException per request for nobody.
  res.on("close", () => {
    if (!res.writableFinished) abort.abort();
  });
  return abort.signal;
}

export type { Violation };
