import { snsErrors } from "./sns-errors.ts";

export interface SnsAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string | Uint8Array;
}

// Names: letters, digits, `_`, `-` and `.`, not starting or ending with `.`, no `..` (SNS message attributes).
const NAME_CHARS = /^[A-Za-z0-9_.-]+$/;
// Custom types extend the three base types with a `.label` (Number.float, String.Array).
const TYPE = /^(String|Number|Binary)(\..+)?$/;

/**
 * Checks a message's attributes as SNS does (AWS-recorded wording, SNS message attributes page) and
 * returns them with binary values as base64. Each failure is ParameterValueInvalid.
 */
export function checkMessageAttributes(attributes: Record<string, SnsAttributeValue> | undefined): Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }> | undefined {
  if (attributes === undefined) return undefined;
  const out: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }> = {};
  for (const [name, a] of Object.entries(attributes)) {
    if (Buffer.byteLength(name) > 256) throw snsErrors.invalidParameterValue("Length of message attribute name must be less than 256 bytes.");
    if (name.startsWith(".")) throw snsErrors.invalidParameterValue("Invalid message attribute name starting with character '.' was found.");
    if (name.endsWith(".")) throw snsErrors.invalidParameterValue("Invalid message attribute name ending with character '.' was found.");
    if (!NAME_CHARS.test(name)) {
      const bad = [...name].find((c) => !NAME_CHARS.test(c))!;
      throw snsErrors.invalidParameterValue(`Invalid non-alphanumeric character '#x${bad.codePointAt(0)!.toString(16).toUpperCase()}' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots.`);
    }
    if (name.includes("..")) throw snsErrors.invalidParameterValue("Message attribute name can not have successive '.' character.");
    const type = a.DataType;
    if (!TYPE.test(type)) throw snsErrors.invalidParameterValue(`The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`);
    const binary = type.startsWith("Binary");
    const value = binary ? a.BinaryValue : a.StringValue;
    if (value === undefined && (binary ? a.StringValue : a.BinaryValue) !== undefined) {
      throw snsErrors.invalidParameterValue(`The message attribute '${name}' with type '${type}' must use field '${binary ? "Binary" : "String"}'.`);
    }
    if (value === undefined || value.length === 0) throw snsErrors.invalidParameterValue(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`);
    if (type.startsWith("Number") && !Number.isFinite(Number(value))) throw snsErrors.invalidParameterValue(`Could not cast message attribute '${name}' value to number.`);
    if (type === "String.Array" && !isJsonArray(value as string)) {
      throw snsErrors.invalidParameterValue(`Invalid attribute value for message attribute '${name}' with type '${type}'. Value must be a JSON array.`);
    }
    out[name] = binary ? { DataType: type, BinaryValue: typeof value === "string" ? value : Buffer.from(value).toString("base64") } : { DataType: type, StringValue: value as string };
  }
  return out;
}

/** Bytes an attribute counts toward the 256 KiB message limit: name, type and value. */
export function attributesSize(attributes: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }> | undefined): number {
  let n = 0;
  for (const [name, a] of Object.entries(attributes ?? {})) {
    n += Buffer.byteLength(name) + Buffer.byteLength(a.DataType) + (a.BinaryValue !== undefined ? Buffer.from(a.BinaryValue, "base64").length : Buffer.byteLength(a.StringValue ?? ""));
  }
  return n;
}

function isJsonArray(text: string): boolean {
  try {
    return Array.isArray(JSON.parse(text));
  } catch {
    return false;
  }
}
