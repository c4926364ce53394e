/**
 * When each queue was last accessed, in service time: what decides whether SQS still publishes a
 * queue's CloudWatch metrics. SQS developer guide, "Monitoring Amazon SQS queues using
 * CloudWatch": CloudWatch considers a queue active for up to six hours if it contains any messages
 * or if any action accesses it; a queue inactive for more than six hours is considered asleep and
 * SQS stops delivering its metrics (the older guide: "for up to six hours from the last activity
 * (i.e., any API call) on the queue"). An action is any SQS call naming the queue, including the
 * ReceiveMessage long polls of a Lambda event source mapping and the sends of Lambda destinations
 * and dead-letter queues, as on AWS, where those are ordinary SQS calls.
 *
 * In memory (not in SQLite): recording is on the send and receive paths, and after a restart a
 * queue counts as accessed when the metrics first see it (chosen: AWS has no restart).
 */
export class QueueActivity {
  private readonly lastAccess = new Map<string, number>();

  /** An action accessed the queue `name` (a queue name, URL or ARN: the last segment names it). */
  touch(nameOrUrl: string, now: number): void {
    this.lastAccess.set(queueNameOf(nameOrUrl), now);
  }

  /** When the queue was last accessed; undefined when it never was since the simulator started. */
  lastAccessed(name: string): number | undefined {
    return this.lastAccess.get(name);
  }

  /** Forgets the queues not in `names` (deleted ones, and names of calls that failed). */
  keepOnly(names: ReadonlySet<string>): void {
    for (const name of this.lastAccess.keys()) if (!names.has(name)) this.lastAccess.delete(name);
  }
}

/**
 * The name the SQS source shares its QueueActivity under (SourceContext.share): one record per
 * simulator, which the SQS source writes and the metrics source reads.
 */
export const QUEUE_ACTIVITY = "sqs.activity";

/** The queue a QueueUrl, queue ARN or bare name names: its last segment. */
export function queueNameOf(nameOrUrl: string): string {
  const cut = Math.max(nameOrUrl.lastIndexOf("/"), nameOrUrl.lastIndexOf(":"));
  return cut < 0 ? nameOrUrl : nameOrUrl.slice(cut + 1);
}
