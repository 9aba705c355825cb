import { Reader } from '../protocol/reader.js';

/** The protocol type of Kafka consumers; only its subscriptions are parsed by the broker. */
export const CONSUMER_PROTOCOL_TYPE = 'consumer';

/**
 * The topics of a ConsumerProtocolSubscription, read through its v0 prefix (int16 version,
 * array of topic names), which every later version keeps: the broker needs them for offset
 * retention and OffsetDelete, as Kafka does, and never decodes anything else. Returns null when
 * the bytes do not parse.
 */
export function subscribedTopicsOf(metadata: Buffer): string[] | null {
  try {
    const r = new Reader(metadata);
    const version = r.int16();
    if (version < 0) return null;
    const count = r.int32();
    if (count < 0) return [];
    if (count > r.remaining / 2) return null;
    const topics: string[] = [];
    for (let i = 0; i < count; i++) topics.push(r.string(false));
    return topics;
  } catch {
    return null;
  }
}
