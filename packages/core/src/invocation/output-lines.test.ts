import { describe, expect, it } from "vitest";
import { MAX_LOG_EVENT_BYTES, OutputLines, pieceLine } from "./output-lines.ts";

const feed = (lines: OutputLines, ...texts: string[]) => texts.flatMap((t) => lines.push(lines.decode(Buffer.from(t))));

describe("OutputLines", () => {
  it("gives out complete lines and holds the rest of a read until its newline", () => {
    const lines = new OutputLines();
    expect(feed(lines, "a\nb")).toEqual(["a\n"]);
    expect(feed(lines, "c", "d\ne\n")).toEqual(["bcd\ne\n"]);
    expect(lines.flush()).toBe("");
    expect(feed(lines, "tail")).toEqual([]);
    expect(lines.flush()).toBe("tail\n");
  });

  it("decodes a character split across reads whole", () => {
    const lines = new OutputLines();
    const bytes = Buffer.from("é\n");
    expect([...lines.push(lines.decode(bytes.subarray(0, 1))), ...lines.push(lines.decode(bytes.subarray(1)))]).toEqual(["é\n"]);
    // Output that ends inside a character: the byte the decoder holds comes out at the flush.
    expect(lines.push(lines.decode(Buffer.from([0x61, 0x0a, 0xc3])))).toEqual(["a\n"]);
    expect(lines.flush()).toBe("\ufffd\n");
    expect(lines.flush()).toBe("");
  });

  it("splits a line longer than one event into full events, never inside a character", () => {
    const lines = new OutputLines();
    const long = "é".repeat(MAX_LOG_EVENT_BYTES);
    const out = [...feed(lines, long.slice(0, 70_000), long.slice(70_000), "\n")];
    for (const e of out) expect(Buffer.byteLength(e)).toBeLessThanOrEqual(MAX_LOG_EVENT_BYTES);
    expect(out.map((e) => e.slice(0, -1)).join("")).toBe(long);
    expect(pieceLine("aé", 2)).toEqual(["a", "é"]);
  });

  it("truncate keeps a long line's first event only, and the lines after it", () => {
    const lines = new OutputLines("truncate");
    const out = feed(lines, "x".repeat(MAX_LOG_EVENT_BYTES + 10), "y".repeat(100_000), "\nnext\n");
    expect(out).toEqual([`${"x".repeat(MAX_LOG_EVENT_BYTES - 1)}\n`, "next\n"]);
    const inOne = new OutputLines("truncate").push(`${"z".repeat(MAX_LOG_EVENT_BYTES + 5)}\nafter\n`);
    expect(inOne).toEqual([`${"z".repeat(MAX_LOG_EVENT_BYTES - 1)}\n`, "after\n"]);
  });
});
