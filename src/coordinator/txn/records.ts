import { Reader } from '../../protocol/reader.js';
import { Writer } from '../../protocol/writer.js';
import { TXN_STATES, type TxnMetadataValue, type TxnState, type TxnTopicPartition } from './metadata.js';

/**
 * The transaction coordinator's durable records, kept in its own internal log and replayed at
 * start: the latest metadata of each transactional id (a null value is a tombstone, as in Kafka's
 * compacted `__transaction_state`), and the producer-id blocks handed out so far, so that no id
 * is ever given twice (Kafka reserves blocks through the controller; this broker is its own).
 */
export type TxnRecord = TxnMetadataRecord | ProducerIdBlockRecord;

export interface TxnMetadataRecord {
  readonly type: 'txn-metadata';
  readonly transactionalId: string;
  readonly value: TxnMetadataValue | null;
}

export interface ProducerIdBlockRecord {
  readonly type: 'producer-id-block';
  /** Ids [firstProducerId, firstProducerId + size) are reserved. */
  readonly firstProducerId: number;
  readonly size: number;
}

const KEY_TXN_METADATA = 0;
const KEY_PRODUCER_ID_BLOCK = 1;
const VALUE_VERSION = 0;

export function encodeTxnRecordKey(record: TxnRecord): Buffer {
  const w = new Writer({ initialBytes: 64 });
  if (record.type === 'txn-metadata') w.int8(KEY_TXN_METADATA).string(record.transactionalId, false);
  // One key for every block: compaction keeps the latest.
  else w.int8(KEY_PRODUCER_ID_BLOCK);
  return w.toBuffer();
}

export function encodeTxnRecordValue(record: TxnRecord): Buffer | null {
  const w = new Writer({ initialBytes: 128 });
  w.int16(VALUE_VERSION);
  if (record.type === 'producer-id-block') {
    w.int64(record.firstProducerId).int32(record.size);
    return w.toBuffer();
  }
  const v = record.value;
  if (v === null) return null;
  w.int64(v.producerId)
    .int64(v.previousProducerId)
    .int16(v.producerEpoch)
    .int16(v.lastProducerEpoch)
    .int32(v.txnTimeoutMs)
    .int8(TXN_STATES.indexOf(v.state))
    .int64(v.txnStartTimestampMs)
    .int64(v.txnLastUpdateTimestampMs)
    .int32(v.partitions.length);
  for (const tp of v.partitions) w.string(tp.topic, false).int32(tp.partition);
  w.int32(v.groups.length);
  for (const g of v.groups) w.string(g, false);
  return w.toBuffer();
}

/** Decodes a record written by the functions above; throws on anything else. */
export function decodeTxnRecord(key: Buffer, value: Buffer | null): TxnRecord {
  const k = new Reader(key);
  const type = k.int8();
  if (type === KEY_PRODUCER_ID_BLOCK) {
    if (value === null) throw new Error('transaction log: a producer-id block record without a value');
    const r = new Reader(value);
    readVersion(r);
    return { type: 'producer-id-block', firstProducerId: r.int64(), size: r.int32() };
  }
  if (type !== KEY_TXN_METADATA) throw new Error(`unknown transaction record key type ${type}`);
  const transactionalId = k.string(false);
  return { type: 'txn-metadata', transactionalId, value: value === null ? null : decodeMetadataValue(value) };
}

function readVersion(r: Reader): void {
  const version = r.int16();
  if (version !== VALUE_VERSION) throw new Error(`unsupported transaction record value version ${version}`);
}

function decodeMetadataValue(value: Buffer): TxnMetadataValue {
  const r = new Reader(value);
  readVersion(r);
  const producerId = r.int64();
  const previousProducerId = r.int64();
  const producerEpoch = r.int16();
  const lastProducerEpoch = r.int16();
  const txnTimeoutMs = r.int32();
  const stateIndex = r.int8();
  const state: TxnState | undefined = TXN_STATES[stateIndex];
  if (state === undefined) throw new Error(`unknown transaction state id ${stateIndex}`);
  const txnStartTimestampMs = r.int64();
  const txnLastUpdateTimestampMs = r.int64();
  const partitions: TxnTopicPartition[] = [];
  const partitionCount = r.int32();
  if (partitionCount < 0 || partitionCount > r.remaining) throw new Error(`bad partition count ${partitionCount}`);
  for (let i = 0; i < partitionCount; i++) partitions.push({ topic: r.string(false), partition: r.int32() });
  const groups: string[] = [];
  const groupCount = r.int32();
  if (groupCount < 0 || groupCount > r.remaining) throw new Error(`bad group count ${groupCount}`);
  for (let i = 0; i < groupCount; i++) groups.push(r.string(false));
  return { producerId, previousProducerId, producerEpoch, lastProducerEpoch, txnTimeoutMs, state, partitions, groups, txnStartTimestampMs, txnLastUpdateTimestampMs };
}
