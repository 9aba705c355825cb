import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { MarkerJob } from '../../coordinator/txn/index.js';
import { encodeEndTxnMarker } from '../../protocol/control-record.js';
import { ErrorCode, errorName } from '../../protocol/errors.js';
import type { LogStore, PartitionLog } from '../../storage/types.js';

export interface MarkerTarget {
  readonly store: LogStore;
  readonly log: Logger;
  readonly clock: Clock;
  readonly flushPolicy: 'acks-all' | 'interval';
  /** Resolves once the group's pending offsets of the producer are committed or dropped, durably. */
  completeGroupOffsets(groupId: string, producerId: number, committed: boolean): Promise<void>;
}

/**
 * Kafka's WriteTxnMarkers, in process: a control batch (COMMIT or ABORT) appended to every
 * partition of the transaction, and the outcome handed to the group coordinator for every group
 * whose offsets it carried. Partitions of deleted topics are skipped, as Kafka drops markers for
 * unknown partitions; a marker the partition refuses (an older epoch: a newer producer instance
 * already wrote there) is skipped too. Under the `acks-all` flush policy the partitions are
 * fsynced before this resolves, so the coordinator records the transaction complete only once
 * its markers are durable. A storage failure rejects; the caller retries the whole job, which is
 * harmless: a repeated marker changes nothing in a partition.
 */
export async function writeMarkers(target: MarkerTarget, job: MarkerJob): Promise<void> {
  const committed = job.result === 'commit';
  const nowMs = target.clock.nowMs();
  const written: PartitionLog[] = [];
  for (const tp of job.partitions) {
    const log = target.store.partition(tp.topic, tp.partition);
    if (log === undefined) {
      target.log.info('transaction marker skipped: the partition no longer exists', { transactionalId: job.transactionalId, topic: tp.topic, partition: tp.partition });
      continue;
    }
    const refused = log.producers.checkMarker(job.producerId, job.producerEpoch, job.coordinatorEpoch);
    if (refused !== ErrorCode.NONE) {
      target.log.warn('transaction marker refused by the partition', { transactionalId: job.transactionalId, topic: tp.topic, partition: tp.partition, error: errorName(refused) });
      continue;
    }
    // A fresh buffer per partition: the log rewrites its base offset and may keep it.
    const marker = await encodeEndTxnMarker({ producerId: job.producerId, producerEpoch: job.producerEpoch, committed, coordinatorEpoch: job.coordinatorEpoch, timestampMs: nowMs });
    log.append(marker, nowMs);
    written.push(log);
  }
  for (const groupId of job.groups) await target.completeGroupOffsets(groupId, job.producerId, committed);
  if (target.flushPolicy === 'acks-all') await Promise.all(written.map((log) => log.sync()));
}
