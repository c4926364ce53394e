import { crc32 } from "node:zlib";

/** The header value type `string` of the AWS event stream encoding (application/vnd.amazon.eventstream). */
const STRING_TYPE = 7;

/**
 * One message of the AWS event stream encoding, as the SDKs' eventstream codec reads it: a
 * prelude (total length, headers length, CRC32 of those 8 bytes), the headers (1-byte name
 * length, name, type, 2-byte value length, value), the payload and a CRC32 of all before it.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/RESTSelectObjectAppendix.html
 */
export function eventStreamMessage(headers: Record<string, string>, payload: Uint8Array): Buffer {
  const encoded = Object.entries(headers).map(([name, value]) => {
    const n = Buffer.from(name, "utf8");
    const v = Buffer.from(value, "utf8");
    const h = Buffer.alloc(1 + n.length + 1 + 2 + v.length);
    h.writeUInt8(n.length, 0);
    n.copy(h, 1);
    h.writeUInt8(STRING_TYPE, 1 + n.length);
    h.writeUInt16BE(v.length, 2 + n.length);
    v.copy(h, 4 + n.length);
    return h;
  });
  const headersLength = encoded.reduce((sum, h) => sum + h.length, 0);
  const total = 12 + headersLength + payload.length + 4;
  const out = Buffer.alloc(total);
  out.writeUInt32BE(total, 0);
  out.writeUInt32BE(headersLength, 4);
  out.writeUInt32BE(crc32(out.subarray(0, 8)), 8);
  let at = 12;
  for (const h of encoded) at += h.copy(out, at);
  at += Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).copy(out, at);
  out.writeUInt32BE(crc32(out.subarray(0, at)), at);
  return out;
}

/** An `event` message of a REST event stream (`:event-type` names the union member). */
export function eventMessage(eventType: string, contentType: string, payload: Uint8Array): Buffer {
  return eventStreamMessage({ ":event-type": eventType, ":content-type": contentType, ":message-type": "event" }, payload);
}
