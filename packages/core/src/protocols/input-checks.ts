import type { ServerResponse } from "node:http";
import { compileInputValidator, type InputValidator, type Violation } from "./input-validator.ts";
import type { ServiceSpec } from "./service-spec.ts";

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

/** An AbortSignal that fires when the caller closes the connection before the answer. */
export function closeSignal(res: ServerResponse): AbortSignal {
  const abort = new AbortController();
  res.on("close", () => abort.abort());
  return abort.signal;
}

export type { Violation };
