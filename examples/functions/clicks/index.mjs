// Consumes the `clicks` stream through a Kinesis event source mapping. A click whose data has
// "poison": true makes the whole batch fail: with bisectBatchOnFunctionError the batch is split
// until the poison record is alone, retried twice (maximumRetryAttempts: 2), and then described in
// an OnFailure record on the `clicks-failed` queue while the later clicks flow on.
export const handler = async (event) => {
  const shard = event.Records[0].eventID.split(":")[0];
  const clicks = event.Records.map((r) => JSON.parse(Buffer.from(r.kinesis.data, "base64").toString("utf8")));
  if (clicks.some((c) => c.poison)) {
    console.log(`${shard}: batch of ${clicks.length} has a poison click, failing it`);
    throw new Error("poison click");
  }
  for (const c of clicks) console.log(`${shard}: ${c.user} clicked ${c.page}`);
};
