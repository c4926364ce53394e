/**
 * A fault's `payloadContains` matcher. Stream events carry record data base64-encoded (Kinesis's
 * `kinesis.data`), so the text is also looked for in base64: at each of the three byte alignments
 * it can have inside the encoded data, only the characters it alone determines. No source is
 * named here; any payload that embeds encoded data matches the same way.
 */
export function payloadMatcher(text: string): (payload: Buffer) => boolean {
  const bytes = Buffer.from(text);
  const needles = [text];
  for (let k = 0; k < 3; k++) {
    const encoded = Buffer.concat([Buffer.alloc(k), bytes]).toString("base64");
    // Characters covering any of the k leading bytes, or the unknown byte after the text, vary.
    const form = encoded.slice(Math.ceil((k * 8) / 6), Math.floor(((k + bytes.length) * 8) / 6));
    if (form.length >= 4) needles.push(form);
  }
  return (payload) => {
    const s = payload.toString("latin1");
    return needles.some((n) => s.includes(n));
  };
}
