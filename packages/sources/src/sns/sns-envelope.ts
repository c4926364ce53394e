import { createHash } from "node:crypto";
import type { SubscriptionRow, StoredMessage } from "./sns-store.ts";

/** Where the links of a notification point: the simulator (so an UnsubscribeURL works) and the region. */
export interface EnvelopeContext {
  /** Where a confirmation's SubscribeURL points: the subscriber must reach it. */
  endpoint: string;
  /** Where a notification's UnsubscribeURL points (SourceContext.publicEndpoint: fixed in scenarios, whose traces replay byte for byte). */
  publicEndpoint?: string;
  region: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Notifications are signed by SNS with a key lambda-sim does not have: the signature is a digest
 * of the canonical fields in the right place and shape (256 bytes in base64, 344 characters, as an
 * RSA-2048 signature is), not verifiable against AWS's certificate.
 */
function signature(fields: string): string {
  return createHash("shake256", { outputLength: 256 }).update(fields).digest("base64");
}

/** A message's deliveries share one parsed copy (SnsStore.due): its signature is computed once for them. */
const signatures = new WeakMap<StoredMessage, { message: string; signature: string }>();

function messageSignature(m: StoredMessage, message: string): string {
  const known = signatures.get(m);
  if (known !== undefined && known.message === message) return known.signature;
  const s = signature(`${m.MessageId}\n${message}\n${m.TopicArn}`);
  signatures.set(m, { message, signature: s });
  return s;
}

function signingCertUrl(c: EnvelopeContext): string {
  return `https://sns.${c.region}.amazonaws.com/SimpleNotificationService-lambda-sim.pem`;
}

function unsubscribeUrl(c: EnvelopeContext, s: SubscriptionRow): string {
  return `${c.publicEndpoint ?? c.endpoint}/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(s.arn)}`;
}

/** The message this protocol gets: its own entry of a `MessageStructure: json` message, else `default`. */
export function messageFor(m: StoredMessage, protocol: string): string {
  return m.Structured?.[protocol] ?? m.Message;
}

/** Attributes as notifications carry them: `{ Type, Value }`, binary values as base64. */
function envelopeAttributes(m: StoredMessage): Record<string, { Type: string; Value: string }> | undefined {
  if (m.MessageAttributes === undefined) return undefined;
  return Object.fromEntries(Object.entries(m.MessageAttributes).map(([k, a]) => [k, { Type: a.DataType, Value: a.BinaryValue ?? a.StringValue ?? "" }]));
}

/**
 * The JSON document SQS and HTTP/HTTPS subscribers receive (SNS "HTTP/HTTPS notification JSON
 * format"): Subject and MessageAttributes only when the message has them; FIFO topics add
 * SequenceNumber.
 */
export function notificationEnvelope(m: StoredMessage, s: SubscriptionRow, c: EnvelopeContext): Record<string, unknown> {
  const message = messageFor(m, s.protocol);
  return {
    Type: "Notification",
    MessageId: m.MessageId,
    ...(m.SequenceNumber !== undefined ? { SequenceNumber: m.SequenceNumber } : {}),
    TopicArn: m.TopicArn,
    ...(m.Subject !== undefined ? { Subject: m.Subject } : {}),
    Message: message,
    Timestamp: iso(m.PublishedAt),
    SignatureVersion: "1",
    Signature: messageSignature(m, message),
    SigningCertURL: signingCertUrl(c),
    UnsubscribeURL: unsubscribeUrl(c, s),
    ...(m.MessageAttributes !== undefined ? { MessageAttributes: envelopeAttributes(m) } : {}),
  };
}

/**
 * The event a Lambda subscriber is invoked with (SNS event, Lambda developer guide "Using Lambda
 * with Amazon SNS"): one record; `Subject` is null when absent, `MessageAttributes` always there.
 */
export function lambdaEvent(m: StoredMessage, s: SubscriptionRow, c: EnvelopeContext): Record<string, unknown> {
  const message = messageFor(m, "lambda");
  return {
    Records: [
      {
        EventSource: "aws:sns",
        EventVersion: "1.0",
        EventSubscriptionArn: s.arn,
        Sns: {
          Type: "Notification",
          MessageId: m.MessageId,
          TopicArn: m.TopicArn,
          Subject: m.Subject ?? null,
          Message: message,
          Timestamp: iso(m.PublishedAt),
          SignatureVersion: "1",
          Signature: messageSignature(m, message),
          SigningCertUrl: signingCertUrl(c),
          UnsubscribeUrl: unsubscribeUrl(c, s),
          MessageAttributes: envelopeAttributes(m) ?? {},
        },
      },
    ],
  };
}

/** What an HTTP/HTTPS endpoint is sent when it is subscribed (SNS HTTP/HTTPS subscription confirmation). */
export function subscriptionConfirmation(s: SubscriptionRow, messageId: string, now: number, c: EnvelopeContext): Record<string, unknown> {
  const message = `You have chosen to subscribe to the topic ${s.topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`;
  return {
    Type: "SubscriptionConfirmation",
    MessageId: messageId,
    Token: s.token,
    TopicArn: s.topicArn,
    Message: message,
    SubscribeURL: `${c.endpoint}/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(s.topicArn)}&Token=${s.token}`,
    Timestamp: iso(now),
    SignatureVersion: "1",
    Signature: signature(`${messageId}\n${message}\n${s.topicArn}`),
    SigningCertURL: signingCertUrl(c),
  };
}
