import { BATCH, computeBatchCrc, writeInt64 } from '../../protocol/record-batch-header.js';

/**
 * Rewrites an encoded batch's producer id, epoch and base sequence in place and recomputes its
 * CRC (those fields lie inside the CRC'd range). Needed only when a batch encoded under one
 * producer id is retried after the producer id was reset; otherwise it is a no-op.
 */
export function restampBatch(batch: Buffer, producerId: number, producerEpoch: number, baseSequence: number): void {
  const samePid = batch.readInt32BE(BATCH.PRODUCER_ID) * 4294967296 + batch.readUInt32BE(BATCH.PRODUCER_ID + 4) === producerId;
  if (samePid && batch.readInt16BE(BATCH.PRODUCER_EPOCH) === producerEpoch && batch.readInt32BE(BATCH.BASE_SEQUENCE) === baseSequence) return;
  writeInt64(batch, BATCH.PRODUCER_ID, producerId);
  batch.writeInt16BE(producerEpoch, BATCH.PRODUCER_EPOCH);
  batch.writeInt32BE(baseSequence, BATCH.BASE_SEQUENCE);
  batch.writeUInt32BE(computeBatchCrc(batch, 0, batch.length), BATCH.CRC);
}
