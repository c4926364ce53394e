// The REST API's POST /orders: takes an order over HTTP and puts it on the orders queue for
// ProcessOrderFunction, answering 202 with the message id. The AWS SDK comes from the Node.js
// runtime (nothing bundled), as on AWS; its endpoint and credentials from the environment.
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";

const sqs = new SQSClient({});

const reply = (statusCode, body) => ({ statusCode, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

export const handler = async (event) => {
  let order;
  try {
    order = JSON.parse(event.isBase64Encoded ? Buffer.from(event.body ?? "", "base64").toString("utf8") : (event.body ?? ""));
  } catch {
    order = undefined;
  }
  if (order === null || typeof order !== "object" || Array.isArray(order)) return reply(400, { message: "expected the order as a JSON object, such as {\"id\": 1}" });
  const { MessageId } = await sqs.send(new SendMessageCommand({ QueueUrl: process.env.ORDERS_QUEUE_URL, MessageBody: JSON.stringify(order) }));
  console.log(`order ${order.id ?? "(no id)"} queued as message ${MessageId}`);
  return reply(202, { messageId: MessageId });
};
