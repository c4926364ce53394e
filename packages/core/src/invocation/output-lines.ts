import { StringDecoder } from "node:string_decoder";

/**
 * The largest log event CloudWatch Logs takes: 256 KB (262,144 bytes) counting 26 bytes of
 * overhead per event (CloudWatch Logs quotas, "Event size"; PutLogEvents), so a message of at
 * most 262,118 bytes, its newline included.
 */
export const MAX_LOG_EVENT_BYTES = 262_144 - 26;

/**
 * What becomes of a line longer than one log event. AWS does not document what Lambda does with
 * one: our choice is `split` (every byte kept, in events of MAX_LOG_EVENT_BYTES); `truncate` keeps
 * its first event only (LAMBDA_SIM_LOG_LINE_OVERSIZE=truncate).
 */
export type OversizeLine = "split" | "truncate";

export function oversizeLineFromEnv(env: NodeJS.ProcessEnv = process.env): OversizeLine {
  return env.LAMBDA_SIM_LOG_LINE_OVERSIZE === "truncate" ? "truncate" : "split";
}

/**
 * One output pipe of an environment (stdout, stderr) cut into lines. Pipe reads end anywhere (a
 * 300,000-character print arrives as 65,536-byte reads), while on AWS a line is one log event up
 * to CloudWatch Logs' limit: what follows the last newline of a read waits for the rest of its
 * line, at most MAX_LOG_EVENT_BYTES, so the memory held per pipe stays bounded whatever a
 * handler prints. A multi-byte character split across reads is decoded whole.
 */
export class OutputLines {
  private readonly decoder = new StringDecoder("utf8");
  private readonly oversize: OversizeLine;
  /** The start of a line whose newline has not arrived. */
  private partial = "";
  private partialBytes = 0;
  /** truncate: the rest of an over-long line is skipped up to its newline. */
  private skipping = false;
  /** The last read ended inside what may be a multi-byte character, which the decoder then holds. */
  private decoderMayHold = false;

  constructor(oversize: OversizeLine = "split") {
    this.oversize = oversize;
  }

  /** Decodes one read; the text as it arrived (for the invocation's log tail). */
  decode(chunk: Buffer): string {
    // Only a read ending in a non-ASCII byte can leave part of a character in the decoder.
    this.decoderMayHold = chunk.length > 0 && chunk[chunk.length - 1]! >= 0x80;
    return this.decoder.write(chunk);
  }

  /**
   * The complete lines `text` ends, each ending with "\n" (several lines may share one string);
   * what follows the last newline is held. A line reaching MAX_LOG_EVENT_BYTES is given out in
   * pieces of that size, each ended by "\n" (split), or its first piece only (truncate).
   */
  push(text: string): string[] {
    if (text === "") return [];
    const nl = text.lastIndexOf("\n");
    if (nl < 0) {
      this.hold(text);
      return this.cutHeld();
    }
    const head = this.partial + text.slice(0, nl + 1);
    const startsSkipped = this.skipping;
    this.partial = "";
    this.partialBytes = 0;
    this.skipping = false;
    const out = this.complete(head, startsSkipped);
    // Text ending with its newline (the usual case) holds nothing.
    if (nl + 1 < text.length) {
      this.hold(text.slice(nl + 1));
      for (const piece of this.cutHeld()) out.push(piece);
    }
    return out;
  }

  /** What is held, as a line of its own (the invocation ended, or the pipe closed); "" if nothing. */
  flush(): string {
    // Called at every platform line: nothing held (the usual case) costs no decoder flush.
    if (!this.decoderMayHold && this.partial === "" && !this.skipping) return "";
    this.decoderMayHold = false;
    const tail = this.decoder.end();
    if (tail !== "") this.hold(tail);
    const held = this.partial;
    this.partial = "";
    this.partialBytes = 0;
    this.skipping = false;
    return held === "" ? "" : `${held}\n`;
  }

  private hold(text: string): void {
    if (text === "") return;
    if (this.skipping) return;
    this.partial += text;
    this.partialBytes += Buffer.byteLength(text);
  }

  /** A held line that reached one event's size goes out now (its last piece, shorter, stays held). */
  private cutHeld(): string[] {
    if (this.partialBytes < MAX_LOG_EVENT_BYTES) return [];
    const pieces = pieceLine(this.partial, MAX_LOG_EVENT_BYTES - 1);
    const rest = pieces.pop()!;
    if (this.oversize === "truncate") {
      this.partial = "";
      this.partialBytes = 0;
      this.skipping = true;
      return [`${pieces[0]}\n`];
    }
    this.partial = rest;
    this.partialBytes = Buffer.byteLength(rest);
    return pieces.map((p) => `${p}\n`);
  }

  /** Complete lines: as they are when none reaches the limit (the usual case), else each cut. */
  private complete(text: string, startsSkipped: boolean): string[] {
    if (!startsSkipped && Buffer.byteLength(text) <= MAX_LOG_EVENT_BYTES) return [text];
    const out: string[] = [];
    const lines = text.slice(0, -1).split("\n");
    for (const [i, line] of lines.entries()) {
      // truncate: the end of a line whose first event already went out.
      if (i === 0 && startsSkipped) continue;
      if (Buffer.byteLength(line) < MAX_LOG_EVENT_BYTES) out.push(`${line}\n`);
      else {
        const pieces = pieceLine(line, MAX_LOG_EVENT_BYTES - 1);
        for (const p of this.oversize === "truncate" ? pieces.slice(0, 1) : pieces) out.push(`${p}\n`);
      }
    }
    return out;
  }
}

/** `text` in pieces of at most `maxBytes` UTF-8 bytes, never inside a character; the last may be shorter (or empty). */
export function pieceLine(text: string, maxBytes: number): string[] {
  const bytes = Buffer.from(text, "utf8");
  const out: string[] = [];
  let start = 0;
  while (bytes.length - start > maxBytes) {
    let end = start + maxBytes;
    // Back off continuation bytes (10xxxxxx) so a character stays whole.
    while (end > start && (bytes[end]! & 0xc0) === 0x80) end--;
    out.push(bytes.toString("utf8", start, end));
    start = end;
  }
  out.push(bytes.toString("utf8", start));
  return out;
}
