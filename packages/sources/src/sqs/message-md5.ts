import { createHash } from "node:crypto";

export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

export function md5OfBody(body: string): string {
  return createHash("md5").update(body, "utf8").digest("hex");
}

/**
 * MD5OfMessageAttributes as SQS computes it (and the SDKs verify it): attributes sorted by name,
 * each as length-prefixed name, length-prefixed data type, a transport byte (1 string/number,
 * 2 binary) and the length-prefixed value; lengths are 4-byte big-endian.
 */
export function md5OfAttributes(attributes: Record<string, MessageAttributeValue> | undefined): string | undefined {
  if (attributes === undefined || Object.keys(attributes).length === 0) return undefined;
  const hash = createHash("md5");
  const field = (bytes: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(bytes.length);
    hash.update(len);
    hash.update(bytes);
  };
  for (const name of Object.keys(attributes).sort()) {
    const a = attributes[name]!;
    field(Buffer.from(name, "utf8"));
    field(Buffer.from(a.DataType, "utf8"));
    if (a.BinaryValue !== undefined) {
      hash.update(Buffer.from([2]));
      field(Buffer.from(a.BinaryValue, "base64"));
    } else {
      hash.update(Buffer.from([1]));
      field(Buffer.from(a.StringValue ?? "", "utf8"));
    }
  }
  return hash.digest("hex");
}
