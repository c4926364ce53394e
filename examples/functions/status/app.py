# A Python function (python3.12): boto3 reads the depth of the example's queues. No endpoint, region
# or credentials in the code: lambda-sim sets AWS_ENDPOINT_URL and fake credentials in the
# environment, and provides boto3 as AWS's runtime does.
import logging

import boto3

logger = logging.getLogger()
logger.setLevel(logging.INFO)

# Created once per environment (init); warm invocations reuse it.
sqs = boto3.client("sqs")

QUEUES = ("orders", "orders-dlq", "receipts-failed")


def handler(event, context):
    depths = {}
    for name in event.get("queues", QUEUES):
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
        depths[name] = {"waiting": int(attributes["ApproximateNumberOfMessages"]), "inFlight": int(attributes["ApproximateNumberOfMessagesNotVisible"])}
    logger.info("queue depths: %s", depths)
    return {"queues": depths, "remainingMs": context.get_remaining_time_in_millis()}
