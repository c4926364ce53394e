// The Kinesis consumer. A poison click fails its batch: bisection isolates it, and after two retries
// the OnFailure record goes to ClicksFailedQueue while the other clicks flow on.
export const handler = async (event) => {
  const clicks = event.Records.map((r) => JSON.parse(Buffer.from(r.kinesis.data, "base64").toString("utf8")));
  if (clicks.some((c) => c.poison)) throw new Error("poison click");
  for (const c of clicks) console.log(`${c.user} clicked ${c.page}`);
};
