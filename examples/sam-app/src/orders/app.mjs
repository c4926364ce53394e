// The SQS consumer. A record whose body has "poison": true is reported in batchItemFailures, so only
// that message returns to the queue; after 3 receives the queue's RedrivePolicy moves it to the
// dead-letter queue.
export const handler = async (event) => {
  const batchItemFailures = [];
  for (const record of event.Records) {
    const order = JSON.parse(record.body);
    if (order.poison) {
      console.log(`order ${order.id} failed (receive ${record.attributes.ApproximateReceiveCount})`);
      batchItemFailures.push({ itemIdentifier: record.messageId });
    } else {
      console.log(`order ${order.id} processed in a batch of ${event.Records.length} (${process.env.STAGE})`);
    }
  }
  return { batchItemFailures };
};
