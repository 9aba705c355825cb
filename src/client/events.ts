import diagnostics_channel from 'node:diagnostics_channel';

/**
 * The client's instrumentation: facts published on node:diagnostics_channel, documented in
 * docs/events.md. Publishing costs nothing when nobody subscribes (`hasSubscribers` is checked
 * first), so the hot paths publish unconditionally through these helpers.
 */
export const CLIENT_CHANNELS = {
  connect: 'samsa:client:connect',
  disconnect: 'samsa:client:disconnect',
  requestError: 'samsa:client:request-error',
  metadata: 'samsa:client:metadata',
  producerBatchSent: 'samsa:client:producer-batch-sent',
} as const;

export interface ConnectEvent {
  clientId: string;
  /** Node id, or -1 for a bootstrap connection made before the node id was known. */
  nodeId: number;
  host: string;
  port: number;
  /** Which of the node's connections (`default`, `coordinator`, or a caller's lane). */
  lane: string;
  /** Versions negotiated with ApiVersions: apiKey -> version the client will use. */
  apiVersions: Record<number, number>;
}

export interface DisconnectEvent {
  clientId: string;
  nodeId: number;
  host: string;
  port: number;
  lane: string;
  reason: string;
  /** Requests that were waiting for an answer and were failed by the disconnect. */
  inFlightRequests: number;
}

export interface RequestErrorEvent {
  clientId: string;
  api: string;
  nodeId: number;
  code: number;
  name: string;
  retriable: boolean;
  /** 0 for the first try; the request is retried when `willRetry`. */
  attempt: number;
  willRetry: boolean;
  message: string;
}

export interface MetadataEvent {
  clientId: string;
  nodeId: number;
  brokers: number;
  topics: string[] | 'all';
  durationMs: number;
}

export interface ProducerBatchSentEvent {
  clientId: string;
  nodeId: number;
  topic: string;
  partition: number;
  records: number;
  bytes: number;
  compression: string;
  baseOffset: number;
  /** From the request being written to its acknowledgement (0 for acks=0). */
  durationMs: number;
  /** Retries this batch needed before it was acknowledged. */
  attempts: number;
}

const connectChannel = diagnostics_channel.channel(CLIENT_CHANNELS.connect);
const disconnectChannel = diagnostics_channel.channel(CLIENT_CHANNELS.disconnect);
const requestErrorChannel = diagnostics_channel.channel(CLIENT_CHANNELS.requestError);
const metadataChannel = diagnostics_channel.channel(CLIENT_CHANNELS.metadata);
const producerBatchSentChannel = diagnostics_channel.channel(CLIENT_CHANNELS.producerBatchSent);

export function publishConnect(e: ConnectEvent): void {
  if (connectChannel.hasSubscribers) connectChannel.publish(e);
}

export function publishDisconnect(e: DisconnectEvent): void {
  if (disconnectChannel.hasSubscribers) disconnectChannel.publish(e);
}

export function publishRequestError(e: RequestErrorEvent): void {
  if (requestErrorChannel.hasSubscribers) requestErrorChannel.publish(e);
}

export function publishMetadata(e: MetadataEvent): void {
  if (metadataChannel.hasSubscribers) metadataChannel.publish(e);
}

export function hasProducerBatchSubscribers(): boolean {
  return producerBatchSentChannel.hasSubscribers;
}

export function publishProducerBatchSent(e: ProducerBatchSentEvent): void {
  if (producerBatchSentChannel.hasSubscribers) producerBatchSentChannel.publish(e);
}
