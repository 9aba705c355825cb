import { ATTR_COMPRESSION_MASK, ATTR_CONTROL, BATCH, CompressionType } from './record-batch-header.js';
import { RecordBatchBuilder } from './record-batch-builder.js';
import { Reader } from './reader.js';

/**
 * Transaction markers (KIP-98): control batches with one record whose key is
 * `[version int16 = 0][type int16]` (0 = ABORT, 1 = COMMIT) and whose value is
 * `[version int16 = 0][coordinatorEpoch int32]`. The transaction coordinator writes one into every
 * partition a transaction touched; readers use them to end the transaction.
 */
export const CONTROL_TYPE_ABORT = 0;
export const CONTROL_TYPE_COMMIT = 1;

export interface EndTxnMarker {
  producerId: number;
  producerEpoch: number;
  committed: boolean;
  coordinatorEpoch: number;
  timestampMs: number;
}

/** The marker as a RecordBatch v2 ready to append (base offset 0; the log assigns it). */
export async function encodeEndTxnMarker(m: EndTxnMarker): Promise<Buffer> {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(m.committed ? CONTROL_TYPE_COMMIT : CONTROL_TYPE_ABORT, 2);
  const value = Buffer.alloc(6);
  value.writeInt16BE(0, 0);
  value.writeInt32BE(m.coordinatorEpoch, 2);
  const builder = new RecordBatchBuilder(96);
  builder.append(key, value, undefined, m.timestampMs);
  return builder.finish({ producerId: m.producerId, producerEpoch: m.producerEpoch, baseSequence: -1, transactional: true, isControl: true });
}

/**
 * Reads the control record of the (uncompressed, validated) control batch at `pos`: its type
 * and, for end-transaction markers, the coordinator epoch. Null when the batch carries no
 * readable control record (an unknown control type is returned as is, epoch -1).
 */
export function readControlRecord(buf: Buffer, pos: number, size: number): { type: number; coordinatorEpoch: number } | null {
  const attributes = buf.readInt16BE(pos + BATCH.ATTRIBUTES);
  if ((attributes & ATTR_CONTROL) === 0 || (attributes & ATTR_COMPRESSION_MASK) !== CompressionType.None) return null;
  if (buf.readInt32BE(pos + BATCH.RECORD_COUNT) < 1) return null;
  try {
    const r = new Reader(buf, pos + BATCH.HEADER_BYTES, pos + size);
    r.varint(); // record length
    r.int8(); // attributes
    r.varlong(); // timestamp delta
    r.varint(); // offset delta
    const keyLength = r.varint();
    if (keyLength < 4) return null;
    const keyEnd = r.pos + keyLength;
    r.int16(); // key version
    const type = r.int16();
    r.pos = keyEnd;
    let coordinatorEpoch = -1;
    const valueLength = r.varint();
    if (valueLength >= 6 && (type === CONTROL_TYPE_ABORT || type === CONTROL_TYPE_COMMIT)) {
      r.int16(); // value version
      coordinatorEpoch = r.int32();
    }
    return { type, coordinatorEpoch };
  } catch {
    return null;
  }
}
