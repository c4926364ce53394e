// Invoked asynchronously (InvocationType Event, or `lambda-sim invoke send-receipt --event`). An
// order without an email fails every time: Lambda retries it after about 1 and 2 minutes (the
// function's eventInvokeConfig allows 2 retries), then sends the invocation record to the OnFailure
// destination, the `receipts-failed` queue. Successful receipts are recorded in `receipts-sent`.
export const handler = async (order, context) => {
  if (!order.email) {
    console.log(`order ${order.id}: no email (request ${context.awsRequestId})`);
    throw new Error(`order ${order.id} has no email address`);
  }
  console.log(`order ${order.id}: receipt sent to ${order.email}`);
  return { sent: order.email, order: order.id };
};
