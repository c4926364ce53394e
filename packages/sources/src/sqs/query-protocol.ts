import type { IncomingMessage, ServerResponse } from "node:http";
import { AwsError, isAwsError } from "@lambda-sim/core";
import type { SqsOperation } from "./json-protocol.ts";

const NS = "http://queue.amazonaws.com/doc/2012-11-05/";

/**
 * SQS over the query protocol, as older SDKs and CLIs speak it (aws-facts §7): form-encoded
 * `Action=...` requests, XML answers, legacy error codes. The same operations as the JSON
 * protocol; only the wire changes.
 */
export function sqsQueryHandler(operations: Record<string, SqsOperation>, queueUrlOf: (name: string) => string) {
  return async (req: IncomingMessage, res: ServerResponse, body: Buffer, requestId: string): Promise<void> => {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const params = new URLSearchParams(q < 0 ? "" : url.slice(q + 1));
    for (const [k, v] of new URLSearchParams(body.toString("utf8"))) params.append(k, v);
    const action = params.get("Action") ?? "";
    const abort = new AbortController();
    res.on("close", () => abort.abort());
    try {
      const operation = operations[action];
      if (operation === undefined) throw new AwsError("InvalidAction", 400, `The action ${action} is not valid for this endpoint.`, { queryCode: "InvalidAction" });
      const input = toInput(params);
      // A request sent to the queue's own URL names its queue by the path.
      const path = q < 0 ? url : url.slice(0, q);
      if (input.QueueUrl === undefined && /^\/\d{12}\/[^/]+$/.test(path)) input.QueueUrl = queueUrlOf(path.slice(path.lastIndexOf("/") + 1));
      const out = (await operation(input, abort.signal)) as Record<string, unknown>;
      const xml = `<?xml version="1.0"?><${action}Response xmlns="${NS}">${resultXml(action, out ?? {})}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
      res.writeHead(200, { "Content-Type": "text/xml", "Content-Length": Buffer.byteLength(xml), "x-amzn-RequestId": requestId });
      res.end(xml);
    } catch (e) {
      const err = isAwsError(e) ? e : new AwsError("InternalError", 500, "We encountered an internal error. Please try again.", { queryCode: "InternalError" });
      // The query protocol's wording of a missing queue differs (aws-facts §7).
      const message = err.code === "QueueDoesNotExist" ? "The specified queue does not exist for this wsdl version." : err.message;
      const xml = `<?xml version="1.0"?><ErrorResponse xmlns="${NS}"><Error><Type>${err.senderFault ? "Sender" : "Receiver"}</Type><Code>${escape(err.queryCode ?? err.code)}</Code><Message>${escape(message)}</Message><Detail/></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
      res.writeHead(err.statusCode, { "Content-Type": "text/xml", "Content-Length": Buffer.byteLength(xml), "x-amzn-RequestId": requestId });
      res.end(xml);
    }
  };
}

/** Flattened query parameters → the JSON shape the operations take. */
function toInput(params: URLSearchParams): Record<string, any> {
  const get = (k: string) => params.get(k) ?? undefined;
  const num = (k: string) => (params.has(k) ? Number(params.get(k)) : undefined);
  const input: Record<string, any> = {};
  for (const k of ["QueueUrl", "QueueName", "MessageBody", "MessageGroupId", "MessageDeduplicationId", "ReceiptHandle", "QueueNamePrefix", "NextToken"]) {
    if (params.has(k)) input[k] = get(k);
  }
  for (const k of ["DelaySeconds", "MaxNumberOfMessages", "WaitTimeSeconds", "VisibilityTimeout", "MaxResults"]) if (params.has(k)) input[k] = num(k);
  const list = (prefix: string) => indexed(params, prefix).map((i) => params.get(`${prefix}.${i}`)!);
  if (params.has("AttributeName.1")) input.AttributeNames = list("AttributeName");
  if (params.has("MessageSystemAttributeName.1")) input.MessageSystemAttributeNames = list("MessageSystemAttributeName");
  if (params.has("MessageAttributeName.1")) input.MessageAttributeNames = list("MessageAttributeName");
  if (params.has("TagKey.1")) input.TagKeys = list("TagKey");
  if (params.has("Attribute.1.Name")) input.Attributes = pairs(params, "Attribute", "Name", "Value");
  if (params.has("Tag.1.Key")) input[params.get("Action") === "CreateQueue" ? "tags" : "Tags"] = pairs(params, "Tag", "Key", "Value");
  if (params.has("MessageAttribute.1.Name")) input.MessageAttributes = messageAttributes(params, "MessageAttribute");
  for (const batch of ["SendMessageBatchRequestEntry", "DeleteMessageBatchRequestEntry", "ChangeMessageVisibilityBatchRequestEntry"]) {
    if (!params.has(`${batch}.1.Id`)) continue;
    input.Entries = indexed(params, batch, ".Id").map((i) => {
      const p = `${batch}.${i}`;
      const entry: Record<string, unknown> = { Id: params.get(`${p}.Id`) };
      for (const k of ["MessageBody", "ReceiptHandle", "MessageGroupId", "MessageDeduplicationId"]) if (params.has(`${p}.${k}`)) entry[k] = params.get(`${p}.${k}`);
      for (const k of ["DelaySeconds", "VisibilityTimeout"]) if (params.has(`${p}.${k}`)) entry[k] = Number(params.get(`${p}.${k}`));
      if (params.has(`${p}.MessageAttribute.1.Name`)) entry.MessageAttributes = messageAttributes(params, `${p}.MessageAttribute`);
      return entry;
    });
  }
  return input;
}

function indexed(params: URLSearchParams, prefix: string, suffix = ""): number[] {
  const out: number[] = [];
  for (let i = 1; params.has(`${prefix}.${i}${suffix}`); i++) out.push(i);
  return out;
}

function pairs(params: URLSearchParams, prefix: string, key: string, value: string): Record<string, string> {
  return Object.fromEntries(indexed(params, prefix, `.${key}`).map((i) => [params.get(`${prefix}.${i}.${key}`)!, params.get(`${prefix}.${i}.${value}`) ?? ""]));
}

function messageAttributes(params: URLSearchParams, prefix: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const i of indexed(params, prefix, ".Name")) {
    const p = `${prefix}.${i}`;
    const value: Record<string, string> = { DataType: params.get(`${p}.Value.DataType`) ?? "String" };
    if (params.has(`${p}.Value.StringValue`)) value.StringValue = params.get(`${p}.Value.StringValue`)!;
    if (params.has(`${p}.Value.BinaryValue`)) value.BinaryValue = params.get(`${p}.Value.BinaryValue`)!;
    out[params.get(`${p}.Name`)!] = value;
  }
  return out;
}

/** `<ActionResult>` with the query protocol's flattened lists and maps. */
function resultXml(action: string, out: Record<string, unknown>): string {
  const empty = Object.keys(out).length === 0 && !["ReceiveMessage", "ListQueues", "GetQueueAttributes", "ListQueueTags"].includes(action);
  return empty ? "" : `<${action}Result>${fields(action, out)}</${action}Result>`;
}

function fields(action: string, out: Record<string, unknown>): string {
  let xml = "";
  for (const [k, v] of Object.entries(out)) {
    if (v === undefined) continue;
    if (k === "Attributes") xml += Object.entries(v as Record<string, string>).map(([n, val]) => `<Attribute><Name>${escape(n)}</Name><Value>${escape(val)}</Value></Attribute>`).join("");
    else if (k === "MessageAttributes") xml += Object.entries(v as Record<string, Record<string, string>>).map(([n, a]) => `<MessageAttribute><Name>${escape(n)}</Name><Value>${scalars(a)}</Value></MessageAttribute>`).join("");
    else if (k === "Tags") xml += Object.entries(v as Record<string, string>).map(([n, val]) => `<Tag><Key>${escape(n)}</Key><Value>${escape(val)}</Value></Tag>`).join("");
    else if (k === "Messages") xml += (v as Record<string, unknown>[]).map((m) => `<Message>${fields(action, m)}</Message>`).join("");
    else if (k === "QueueUrls" || k === "queueUrls") xml += (v as string[]).map((u) => `<QueueUrl>${escape(u)}</QueueUrl>`).join("");
    else if (k === "Successful") xml += (v as Record<string, unknown>[]).map((e) => `<${action}ResultEntry>${fields(action, e)}</${action}ResultEntry>`).join("");
    else if (k === "Failed") xml += (v as Record<string, unknown>[]).map((e) => `<BatchResultErrorEntry>${fields(action, e)}</BatchResultErrorEntry>`).join("");
    else xml += `<${k}>${escape(String(v))}</${k}>`;
  }
  return xml;
}

function scalars(o: Record<string, string>): string {
  return Object.entries(o).map(([k, v]) => `<${k}>${escape(v)}</${k}>`).join("");
}

function escape(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/\r/g, "&#xD;");
}
