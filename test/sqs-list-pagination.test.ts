import { beforeEach, describe, expect, it } from "vitest";
import { CreateQueueCommand, DeleteQueueCommand, ListDeadLetterSourceQueuesCommand, ListQueuesCommand, SQSClient, paginateListQueues } from "@aws-sdk/client-sqs";
import { sqsSource } from "@lambda-sim/sources";
import { perTestSimulator } from "./support/per-test-simulator.ts";
import { HAS_BOTO3, runBoto3 } from "./support/boto3-script.ts";

// F5 (newuser7): ListQueues' NextToken was base64 of an offset, so deleting the queues of a page
// while paging skipped as many survivors (20 queues, page 5: 10 left). Tokens now name the last
// queue returned.
const sims = perTestSimulator({ sources: [sqsSource] });
let sqs: SQSClient;

async function createQueues(prefix: string, n: number): Promise<string[]> {
  const names = Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(3, "0")}`);
  for (const QueueName of names) await sqs.send(new CreateQueueCommand({ QueueName }));
  return names;
}

async function queueNames(prefix: string): Promise<string[]> {
  const out = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix }));
  return (out.QueueUrls ?? []).map((u) => u.slice(u.lastIndexOf("/") + 1));
}

describe("SQS list pagination", () => {
  beforeEach(async () => {
    sqs = new SQSClient({ ...(await sims.start()).clientConfig, maxAttempts: 1 });
    return () => sqs.destroy();
  });

  it.skipIf(!HAS_BOTO3)("a boto3 paginator deleting every queue of each page deletes all 20 in one pass (query protocol, boto3 1.26; skipped without boto3)", async () => {
    await createQueues("sweep", 20);
    const r = await runBoto3(sims.current.endpoint, [
      "import os, boto3",
      "s = boto3.client('sqs', endpoint_url=os.environ['ENDPOINT'])",
      "pages = deleted = 0",
      "for p in s.get_paginator('list_queues').paginate(QueueNamePrefix='sweep-', PaginationConfig={'PageSize': 5}):",
      "    pages += 1",
      "    for u in p.get('QueueUrls', []):",
      "        s.delete_queue(QueueUrl=u); deleted += 1",
      "print(pages, deleted)",
    ]);
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("4 20");
    expect(await queueNames("sweep-")).toEqual([]);
  });

  it("the JS SDK's paginator lists every queue once while queues are created and deleted between pages", async () => {
    const names = await createQueues("js", 12);
    const seen: string[] = [];
    let page = 0;
    for await (const p of paginateListQueues({ client: sqs, pageSize: 4 }, { QueueNamePrefix: "js-" })) {
      seen.push(...(p.QueueUrls ?? []).map((u) => u.slice(u.lastIndexOf("/") + 1)));
      if (page++ === 0) {
        // Delete the page just read and create one before and one after the position reached.
        for (const QueueUrl of p.QueueUrls ?? []) await sqs.send(new DeleteQueueCommand({ QueueUrl }));
        await sqs.send(new CreateQueueCommand({ QueueName: "js-000a" }));
        await sqs.send(new CreateQueueCommand({ QueueName: "js-999" }));
      }
    }
    expect(seen).toEqual([...names, "js-999"]);
  });

  it("MaxResults takes 1-1000, a NextToken only with MaxResults, a token not handed out is InvalidParameterValue", async () => {
    await createQueues("range", 3);
    const all = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: "range-" }));
    expect(all.QueueUrls).toHaveLength(3);
    expect(all.NextToken).toBeUndefined();
    const first = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: "range-", MaxResults: 2 }));
    expect(first.QueueUrls).toHaveLength(2);
    expect(first.NextToken).toEqual(expect.any(String));
    const rest = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: "range-", MaxResults: 2, NextToken: first.NextToken }));
    expect(rest.QueueUrls!.map((u) => u.slice(-9))).toEqual(["range-002"]);
    expect(rest.NextToken).toBeUndefined();
    for (const MaxResults of [0, 1001]) {
      await expect(sqs.send(new ListQueuesCommand({ MaxResults }))).rejects.toMatchObject({ name: "InvalidParameterValue", message: `Value ${MaxResults} for parameter MaxResults is invalid. Reason: Must be between 1 and 1000.` });
    }
    // The old offset token ("NQ==" = 5) and garbage are refused, not read as "from the start".
    for (const NextToken of ["NQ==", "garbage"]) {
      await expect(sqs.send(new ListQueuesCommand({ MaxResults: 2, NextToken }))).rejects.toMatchObject({ name: "InvalidParameterValue" });
    }
  });

  it("ListDeadLetterSourceQueues pages with MaxResults and NextToken", async () => {
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: "dlq-main" }));
    const arn = "arn:aws:sqs:us-east-1:000000000000:dlq-main";
    for (const n of ["src-a", "src-b", "src-c"]) {
      await sqs.send(new CreateQueueCommand({ QueueName: n, Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: 3 }) } }));
    }
    const first = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq.QueueUrl, MaxResults: 2 }));
    expect(first.queueUrls!.map((u) => u.slice(-5))).toEqual(["src-a", "src-b"]);
    const rest = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq.QueueUrl, MaxResults: 2, NextToken: first.NextToken }));
    expect(rest.queueUrls!.map((u) => u.slice(-5))).toEqual(["src-c"]);
    expect(rest.NextToken).toBeUndefined();
  });
});
