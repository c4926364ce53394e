// The scheduled function: ScheduleV2 sends its Input, Schedule sends EventBridge's "Scheduled Event".
// It counts the orders waiting in the queue and its dead-letter queue, with the AWS SDK's plain
// HTTP call (lambda-sim sets AWS_ENDPOINT_URL in every function's environment).
export const handler = async (event) => {
  const kind = event["detail-type"] ?? event.report;
  const count = async (url) => {
    const res = await fetch(process.env.AWS_ENDPOINT_URL, {
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonSQS.GetQueueAttributes" },
      body: JSON.stringify({ QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages"] }),
    });
    return (await res.json()).Attributes?.ApproximateNumberOfMessages;
  };
  console.log(`${kind}: ${await count(process.env.ORDERS_QUEUE_URL)} order(s) waiting, ${await count(process.env.DLQ_URL)} dead-lettered`);
};
