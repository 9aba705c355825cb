import { connect, createInbox, type JsMsg, type Msg, type NatsError } from 'nats';
import type { SystemClient } from './types.js';

/**
 * NATS JetStream with nats.js, the way performance.md reached its best figures here: one stream
 * with one subject per partition (`bench.0` .. `bench.5`); the producer publishes with a reply
 * subject on one wildcard inbox and counts the stream's PubAcks (js.publish() awaits each
 * publish and reached only ~25k msgs/s on this machine), at most 1,000 unacknowledged; the
 * consumers share one durable pull consumer (`consume({ max_messages: 1000 })`) and ack every
 * message explicitly after handling it.
 */

const PUBLISH_CHUNK = 100;
const PUBLISH_CHUNKS_IN_FLIGHT = 10;
const PULL_BATCH = 1000;

export const SUBJECT_PREFIX = 'bench.';

export const jetstreamClient: SystemClient = {
  describe: `JetStream via nats.js: 1 stream, 6 subjects; publish with PubAck (≤ ${PUBLISH_CHUNK * PUBLISH_CHUNKS_IN_FLIGHT} unacked); shared durable pull consumer, max_messages ${PULL_BATCH}, explicit ack per message`,
  async producer(cfg) {
    const nc = await connect({ servers: `${cfg.host}:${cfg.port}` });
    const inbox = createInbox();
    const waiting = new Map<number, { remaining: number; resolve: () => void; reject: (e: Error) => void }>();
    let nextChunk = 0;
    nc.subscribe(`${inbox}.*`, {
      callback: (err: NatsError | null, m: Msg) => {
        const id = Number(m.subject.slice(inbox.length + 1));
        const w = waiting.get(id);
        if (w === undefined) return;
        // A PubAck is {"stream":..,"seq":..}; a failure carries "error".
        if (err !== null || (m.data.length > 2 && m.data[2] === 0x65 /* e */)) {
          waiting.delete(id);
          w.reject(new Error(`publish failed: ${err?.message ?? Buffer.from(m.data).toString()}`));
          return;
        }
        if (--w.remaining === 0) {
          waiting.delete(id);
          w.resolve();
        }
      },
    });
    return {
      chunkRecords: PUBLISH_CHUNK,
      chunksInFlight: PUBLISH_CHUNKS_IN_FLIGHT,
      send(chunk) {
        const id = nextChunk++;
        const reply = `${inbox}.${id}`;
        return new Promise<void>((resolve, reject) => {
          waiting.set(id, { remaining: chunk.values.length, resolve, reject });
          for (let i = 0; i < chunk.values.length; i++) nc.publish(`${SUBJECT_PREFIX}${chunk.partitions[i]}`, chunk.values[i]!, { reply });
        });
      },
      async close() {
        await nc.drain();
      },
    };
  },
  async consumer(cfg, sink) {
    const nc = await connect({ servers: `${cfg.host}:${cfg.port}` });
    const js = nc.jetstream();
    const consumer = await js.consumers.get(cfg.target, cfg.groupId);
    const messages = await consumer.consume({ max_messages: PULL_BATCH });
    let handled: JsMsg[] = [];
    let flushScheduled = false;
    // Report, then ack, the messages handled in this turn of the event loop.
    const flush = () => {
      flushScheduled = false;
      sink.flush();
      for (const m of handled) m.ack();
      handled = [];
    };
    const done = (async () => {
      for await (const m of messages) {
        sink.record(Number(m.subject.slice(SUBJECT_PREFIX.length)), m.data);
        handled.push(m);
        if (!flushScheduled) {
          flushScheduled = true;
          setImmediate(flush);
        }
      }
    })();
    return {
      async stop() {
        await messages.close();
        await done.catch(() => {});
        flush();
        await nc.drain();
      },
    };
  },
};
