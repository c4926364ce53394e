// Sends a burst of clicks to the example's `clicks` stream, one of them poison, then waits for the
// OnFailure record on `clicks-failed`. Start the example first (`npm start`), then:
//
//   node examples/send-clicks.mjs [endpoint]      (default $AWS_ENDPOINT_URL, else http://127.0.0.1:3001)
import { KinesisClient, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";

const endpoint = process.argv[2] ?? process.env.AWS_ENDPOINT_URL ?? "http://127.0.0.1:3001";
const config = { endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } };
const kinesis = new KinesisClient(config);
const sqs = new SQSClient(config);

const users = ["ana", "ben", "chloe", "dev"];
const clicks = Array.from({ length: 20 }, (_, i) => ({ user: users[i % users.length], page: `/page/${i}`, poison: i === 7 }));
const put = await kinesis.send(new PutRecordsCommand({ StreamName: "clicks", Records: clicks.map((c) => ({ PartitionKey: c.user, Data: Buffer.from(JSON.stringify(c)) })) }));
console.log(`put ${clicks.length} clicks (${put.FailedRecordCount} failed); click 7 is poison`);

const QueueUrl = `${endpoint}/000000000000/clicks-failed`;
const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }));
const body = got.Messages?.[0]?.Body;
console.log(body === undefined ? "no OnFailure record yet" : `OnFailure record:\n${JSON.stringify(JSON.parse(body), null, 2)}`);
kinesis.destroy();
sqs.destroy();
