import { arnAccount, listPage, type Clock } from "@lambda-sim/core";
import { kinesisErrors } from "./kinesis-errors.ts";
import { sequenceNumber, shardId } from "./sequence-numbers.ts";
import type { RecordSweeper } from "./record-sweeper.ts";
import type { StreamState, StreamStore } from "./stream-store.ts";

type Input = Record<string, unknown>;

/** Retention: 24 h by default, 24 … 8,760 h (aws-facts §8.1). */
export const DEFAULT_RETENTION_HOURS = 24;
export const MAX_RETENTION_HOURS = 8_760;
/** On-demand streams start with 4 shards (AWS "on-demand mode" docs). */
export const ON_DEMAND_SHARDS = 4;
/** Our cap on shards per stream (AWS's default shard quota is 500 per account in us-east-1). */
export const MAX_SHARDS = 500;
const NAME = /^[a-zA-Z0-9_.-]{1,128}$/;
/** The most streams one ListStreams answer holds, and its default (API reference, Limit). */
const MAX_STREAMS = 100;
/** The most shards one ListShards answer holds, and its default (API reference, MaxResults). */
const MAX_SHARDS_LISTED = 1000;

export interface StreamIdentity {
  region: string;
  accountId: string;
}

/**
 * The Kinesis control plane (aws-facts §8.1): CreateStream, DescribeStream(Summary), ListStreams,
 * ListShards, DeleteStream, retention and tags. Streams are ACTIVE as soon as they are created:
 * there is nothing to provision locally, so waiters return at once. A deleted stream is DELETING
 * while its records are deleted in the background (record-sweeper.ts), then gone.
 */
export class StreamOperations {
  private readonly store: StreamStore;
  private readonly clock: Clock;
  private readonly id: StreamIdentity;
  private readonly sweeper: RecordSweeper;

  constructor(store: StreamStore, clock: Clock, id: StreamIdentity, sweeper: RecordSweeper) {
    this.store = store;
    this.clock = clock;
    this.id = id;
    this.sweeper = sweeper;
  }

  get accountId(): string {
    return this.id.accountId;
  }

  arn(name: string): string {
    return `arn:aws:kinesis:${this.id.region}:${this.id.accountId}:stream/${name}`;
  }

  /** The stream an input names by `StreamName` or `StreamARN`. */
  resolve(input: Input): StreamState {
    const byArn = typeof input.StreamARN === "string" ? /:stream\/([^/]+)$/.exec(input.StreamARN)?.[1] : undefined;
    const name = byArn ?? input.StreamName;
    if (typeof name !== "string" || name === "") throw kinesisErrors.invalidArgument("Either StreamName or StreamARN should be provided.");
    // Another account's stream is none of this account's (newuser12 N1-2).
    const account = byArn === undefined ? undefined : arnAccount(String(input.StreamARN));
    if (account !== undefined && account !== this.id.accountId) throw kinesisErrors.streamNotFound(name, account);
    const stream = this.store.get(name);
    if (stream === undefined) throw kinesisErrors.streamNotFound(name, this.id.accountId);
    return stream;
  }
  /**
   * A stream that takes writes and changes: not one being deleted (review22 R22-2). AWS: "the
   * resource must be in the ACTIVE state" (ResourceInUseException); its exact message is
   * unrecorded: ours.
   */
  resolveActive(input: Input): StreamState {
    const s = this.resolve(input);
    if (s.deleting) throw kinesisErrors.streamNotActive(s.name, this.id.accountId);
    return s;
  }


  byArn(arn: string): StreamState | undefined {
    const name = /^arn:aws:kinesis:[^:]*:[^:]*:stream\/([^/]+)$/.exec(arn)?.[1];
    return name === undefined ? undefined : this.store.get(name);
  }

  createStream(input: Input): Record<string, never> {
    const name = input.StreamName;
    if (typeof name !== "string" || !NAME.test(name)) throw kinesisErrors.validation(`'${String(name)}'`, "streamName", "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
    const mode = ((input.StreamModeDetails as { StreamMode?: string } | undefined)?.StreamMode ?? "PROVISIONED") as StreamState["mode"];
    if (mode !== "PROVISIONED" && mode !== "ON_DEMAND") throw kinesisErrors.validation(`'${mode}'`, "streamModeDetails.streamMode", "Member must satisfy enum value set: [ON_DEMAND, PROVISIONED]");
    let shards = input.ShardCount;
    if (mode === "ON_DEMAND") {
      if (shards !== undefined) throw kinesisErrors.invalidArgument("ShardCount is not supported for streams in ON_DEMAND mode.");
      shards = ON_DEMAND_SHARDS;
    }
    if (typeof shards !== "number" || !Number.isInteger(shards)) throw kinesisErrors.invalidArgument("ShardCount is required for streams in PROVISIONED mode.");
    if (shards < 1) throw kinesisErrors.validation(`'${shards}'`, "shardCount", "Member must have value greater than or equal to 1");
    if (shards > MAX_SHARDS) throw kinesisErrors.limitExceeded(`This request would exceed the shard limit for the account ${this.id.accountId} in ${this.id.region}. Current limit of shards is ${MAX_SHARDS}.`);
    if (this.store.get(name) !== undefined) throw kinesisErrors.streamInUse(name, this.id.accountId);
    this.store.create(name, mode, shards, DEFAULT_RETENTION_HOURS, (input.Tags as Record<string, string> | undefined) ?? {}, this.clock.now());
    return {};
  }

  /** `streams:` in lambda-sim.yaml: created when missing; retention and tags follow the file. */
  declare(name: string, def: { shardCount?: number; streamMode?: StreamState["mode"]; retentionPeriodHours?: number; tags?: Record<string, string> }): void {
    let stream = this.store.get(name);
    if (stream === undefined) {
      this.createStream({ StreamName: name, ShardCount: def.streamMode === "ON_DEMAND" ? undefined : (def.shardCount ?? 1), StreamModeDetails: { StreamMode: def.streamMode ?? "PROVISIONED" }, Tags: def.tags });
      stream = this.store.get(name)!;
    }
    stream.retentionHours = def.retentionPeriodHours ?? stream.retentionHours;
    stream.tags = { ...stream.tags, ...def.tags };
    this.store.update(stream);
  }

  describeStream(input: Input) {
    const s = this.resolve(input);
    return {
      StreamDescription: {
        StreamName: s.name,
        StreamARN: this.arn(s.name),
        StreamStatus: status(s),
        StreamModeDetails: { StreamMode: s.mode },
        Shards: s.shards.map((sh) => this.shardShape(sh)),
        HasMoreShards: false,
        RetentionPeriodHours: s.retentionHours,
        StreamCreationTimestamp: s.createdAt / 1000,
        EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
        EncryptionType: "NONE",
      },
    };
  }

  describeStreamSummary(input: Input) {
    const s = this.resolve(input);
    return {
      StreamDescriptionSummary: {
        StreamName: s.name,
        StreamARN: this.arn(s.name),
        StreamStatus: status(s),
        StreamModeDetails: { StreamMode: s.mode },
        RetentionPeriodHours: s.retentionHours,
        StreamCreationTimestamp: s.createdAt / 1000,
        EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
        EncryptionType: "NONE",
        OpenShardCount: s.shards.length,
        ConsumerCount: 0,
      },
    };
  }

  listStreams(input: Input) {
    // Limit 1-10,000 (the model's check), 100 without it, "If you specify a value greater than
    // 100, at most 100 results are returned" (API reference, Limit).
    const limit = Math.min(typeof input.Limit === "number" ? input.Limit : MAX_STREAMS, MAX_STREAMS);
    // ExclusiveStartStreamName (older clients) pages by name; NextToken (the SDK's paginator)
    // names the last stream returned (core listPage), so deleting streams while paging skips none.
    // AWS's answer to a token it did not hand out is unrecorded: our choice, InvalidArgumentException
    // (ExpiredNextTokenException being for an expired one).
    const start = typeof input.ExclusiveStartStreamName === "string" ? input.ExclusiveStartStreamName : undefined;
    const streams = this.store.list().filter((s) => start === undefined || s.name > start);
    const p = listPage(streams, {
      listing: "ListStreams",
      position: (s) => [s.name],
      count: limit,
      token: typeof input.NextToken === "string" ? input.NextToken : undefined,
      invalidToken: () => kinesisErrors.invalidArgument("Invalid NextToken."),
    });
    const out: Record<string, unknown> = {
      StreamNames: p.items.map((s) => s.name),
      HasMoreStreams: p.next !== undefined,
      StreamSummaries: p.items.map((s) => ({ StreamName: s.name, StreamARN: this.arn(s.name), StreamStatus: status(s), StreamModeDetails: { StreamMode: s.mode }, StreamCreationTimestamp: s.createdAt / 1000 })),
    };
    if (p.next !== undefined) out.NextToken = p.next;
    return out;
  }

  listShards(input: Input) {
    // A NextToken carries the stream name and the last shard index seen.
    let token: { s: string; i: number } | undefined;
    if (typeof input.NextToken === "string") {
      if (input.StreamName !== undefined) throw kinesisErrors.invalidArgument("NextToken and StreamName cannot be provided together.");
      try {
        token = JSON.parse(Buffer.from(input.NextToken, "base64").toString("utf8"));
      } catch {
        throw kinesisErrors.invalidArgument("Invalid NextToken.");
      }
    }
    const s = this.resolve(token === undefined ? input : { StreamName: token.s });
    // ListShards: MaxResults 1-10,000 (the model's check), 1,000 without it, "If you specify a
    // value greater than 1000, at most 1000 results are returned" (API reference). Shards are
    // never deleted one by one, so a token naming the last shard index stays valid.
    const max = Math.min(typeof input.MaxResults === "number" ? input.MaxResults : MAX_SHARDS_LISTED, MAX_SHARDS_LISTED);
    const startAfter = token?.i ?? (typeof input.ExclusiveStartShardId === "string" ? s.shards.findIndex((sh) => shardId(sh.index) === input.ExclusiveStartShardId) : -1);
    const rest = s.shards.filter((sh) => sh.index > startAfter);
    const page = rest.slice(0, max);
    const out: { Shards: unknown[]; NextToken?: string } = { Shards: page.map((sh) => this.shardShape(sh)) };
    if (rest.length > page.length) out.NextToken = Buffer.from(JSON.stringify({ s: s.name, i: page.at(-1)!.index })).toString("base64");
    return out;
  }

  /**
   * Answers at once, the stream DELETING until its records are gone (AWS: "DeleteStream returns
   * immediately and sets the stream status to DELETING"). A second DeleteStream meanwhile is
   * answered the same (AWS's answer is unrecorded: our choice).
   */
  deleteStream(input: Input): Record<string, never> {
    this.sweeper.deleteStream(this.resolve(input));
    return {};
  }

  increaseStreamRetentionPeriod(input: Input): Record<string, never> {
    const s = this.resolveActive(input);
    const hours = this.hours(input.RetentionPeriodHours);
    if (hours < s.retentionHours) {
      throw kinesisErrors.invalidArgument(`Requested retention period (${hours} hours) for stream ${s.name} can not be shorter than existing retention period (${s.retentionHours} hours). Use DecreaseRetentionPeriod API.`);
    }
    s.retentionHours = hours;
    this.store.update(s);
    return {};
  }

  decreaseStreamRetentionPeriod(input: Input): Record<string, never> {
    const s = this.resolveActive(input);
    const hours = this.hours(input.RetentionPeriodHours);
    if (hours > s.retentionHours) {
      throw kinesisErrors.invalidArgument(`Requested retention period (${hours} hours) for stream ${s.name} can not be longer than existing retention period (${s.retentionHours} hours). Use IncreaseRetentionPeriod API.`);
    }
    s.retentionHours = hours;
    this.store.update(s);
    return {};
  }

  addTagsToStream(input: Input): Record<string, never> {
    const s = this.resolveActive(input);
    const tags = (input.Tags ?? {}) as Record<string, string>;
    if (Object.keys({ ...s.tags, ...tags }).length > 50) throw kinesisErrors.invalidArgument("Failed to add tags to stream because a stream can have at most 50 tags.");
    s.tags = { ...s.tags, ...tags };
    this.store.update(s);
    return {};
  }

  removeTagsFromStream(input: Input): Record<string, never> {
    const s = this.resolveActive(input);
    for (const k of (input.TagKeys ?? []) as string[]) delete s.tags[k];
    this.store.update(s);
    return {};
  }

  listTagsForStream(input: Input) {
    const s = this.resolve(input);
    return { Tags: Object.entries(s.tags).map(([Key, Value]) => ({ Key, Value })), HasMoreTags: false };
  }

  private hours(value: unknown): number {
    if (typeof value !== "number" || !Number.isInteger(value) || value < DEFAULT_RETENTION_HOURS || value > MAX_RETENTION_HOURS) {
      throw kinesisErrors.invalidArgument(`Minimum allowed retention period is ${DEFAULT_RETENTION_HOURS} hours. Maximum allowed retention period is ${MAX_RETENTION_HOURS} hours. Requested retention period (${String(value)} hours) is out of range.`);
    }
    return value;
  }

  private shardShape(sh: StreamState["shards"][number]) {
    return {
      ShardId: shardId(sh.index),
      HashKeyRange: { StartingHashKey: sh.start.toString(), EndingHashKey: sh.end.toString() },
      SequenceNumberRange: { StartingSequenceNumber: sequenceNumber(sh.startingCounter, sh.index) },
    };
  }
}

/** StreamStatus: ACTIVE, or DELETING between DeleteStream and the stream's removal. */
const status = (s: StreamState) => (s.deleting ? "DELETING" : "ACTIVE");
