// Consumes the `orders` queue through an event source mapping. A record whose body has
// "poison": true fails; with ReportBatchItemFailures only that message returns to the queue, and
// after 3 receives the queue's redrive policy moves it to `orders-dlq`.
export const handler = async (event) => {
  const batchItemFailures = [];
  for (const record of event.Records) {
    const order = JSON.parse(record.body);
    if (order.poison) {
      console.log(`order ${order.id} failed (receive ${record.attributes.ApproximateReceiveCount})`);
      batchItemFailures.push({ itemIdentifier: record.messageId });
    } else {
      console.log(`order ${order.id} processed`);
    }
  }
  return { batchItemFailures };
};
