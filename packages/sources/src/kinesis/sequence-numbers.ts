/**
 * Sequence numbers (aws-facts §8.1): decimal strings that increase over time within a shard. Ours
 * are 56 digits like AWS's: "49", the store's record counter (38 digits), the shard index (16
 * digits). The counter is shared by all shards, so every new record's number is above every
 * earlier one; that is what SequenceNumberForOrdering asks for, with nothing more to do.
 */
const PATTERN = /^49(\d{38})(\d{16})$/;

const ZEROS = "0".repeat(38);
/** Per shard index, its 16 digits and its id: PutRecords and the mappings' reads number every record. */
const suffixes: string[] = [];
const ids: string[] = [];

export function sequenceNumber(counter: number, shardIndex: number): string {
  const c = String(counter);
  return `49${ZEROS.slice(c.length)}${c}${(suffixes[shardIndex] ??= String(shardIndex).padStart(16, "0"))}`;
}

export function parseSequenceNumber(text: string): { counter: number; shardIndex: number } | undefined {
  const m = PATTERN.exec(text);
  if (m === null) return undefined;
  return { counter: Number(m[1]), shardIndex: Number(m[2]) };
}

export function shardId(index: number): string {
  return (ids[index] ??= `shardId-${String(index).padStart(12, "0")}`);
}

export function shardIndexOf(id: string): number | undefined {
  const m = /^shardId-(\d{12})$/.exec(id);
  return m === null ? undefined : Number(m[1]);
}
