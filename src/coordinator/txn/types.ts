import type {
  DescribeTransactionsRequest,
  DescribeTransactionsResponseInit,
  EndTxnRequest,
  EndTxnResponseInit,
  InitProducerIdRequest,
  InitProducerIdResponseInit,
  ListTransactionsRequest,
  ListTransactionsResponseInit,
} from '../../protocol/messages/index.js';
import type { TxnTopicPartition } from './metadata.js';
import type { TxnRecord } from './records.js';

/** AddPartitionsToTxn for one transaction (v0-3 carry one; v4+ batch several). */
export interface AddPartitionsBody {
  readonly transactionalId: string;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly partitions: readonly TxnTopicPartition[];
}

export interface AddOffsetsBody {
  readonly transactionalId: string;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly groupId: string;
}

/** The APIs the transaction coordinator answers, with the request and response of each. */
export interface TxnCoordinatorApis {
  'init-producer-id': { request: InitProducerIdRequest; response: InitProducerIdResponseInit };
  'add-partitions': { request: AddPartitionsBody; response: { errorCode: number } };
  'add-offsets': { request: AddOffsetsBody; response: { errorCode: number } };
  'end-txn': { request: EndTxnRequest; response: EndTxnResponseInit };
  describe: { request: DescribeTransactionsRequest; response: DescribeTransactionsResponseInit };
  list: { request: ListTransactionsRequest; response: ListTransactionsResponseInit };
}

export type TxnCoordinatorApi = keyof TxnCoordinatorApis;

export interface TxnCoordinatorRequest<A extends TxnCoordinatorApi = TxnCoordinatorApi> {
  readonly api: A;
  /** Chosen by the shell, unique among requests in flight, so a parked EndTxn can be answered later. */
  readonly requestId: number;
  readonly body: TxnCoordinatorApis[A]['request'];
}

/** The answer to a parked EndTxn, delivered once the markers are written. */
export interface TxnCompletion {
  readonly requestId: number;
  readonly response: EndTxnResponseInit;
}

export type TxnResult = 'commit' | 'abort';

/**
 * Control batches (transaction markers, Kafka's WriteTxnMarkers) the shell must write once the
 * record that decided the outcome is durable: one into every partition of the transaction, and
 * the outcome of its pending offsets into every group. Then it reports back with
 * `TxnCoordinator.markersWritten`, which completes the transaction.
 */
export interface MarkerJob {
  readonly transactionalId: string;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly result: TxnResult;
  readonly partitions: readonly TxnTopicPartition[];
  readonly groups: readonly string[];
  /** Samsa has one transaction coordinator for ever: its epoch stays 0. */
  readonly coordinatorEpoch: number;
}

export const PARKED: unique symbol = Symbol('txn-parked');

/**
 * What one call of the core produced. The shell appends `records` to the transaction log, applies
 * them with `replay`, and only once they are durable sends `response` and `completions` and
 * starts `markers`.
 */
export interface TxnCoordinatorResult<R = unknown> {
  readonly records: TxnRecord[];
  readonly response: R | typeof PARKED;
  readonly completions: TxnCompletion[];
  readonly markers: MarkerJob[];
  readonly events: TxnCoordinatorEvent[];
}

/** Why a transaction is being aborted or committed. */
export type TxnEndReason = 'client' | 'timeout' | 'fenced-by-new-producer';

interface EventBase {
  readonly atMs: number;
}

export type TxnCoordinatorEvent =
  | (EventBase & { readonly type: 'producer-id-allocated'; readonly transactionalId: string | null; readonly producerId: number; readonly producerEpoch: number })
  | (EventBase & { readonly type: 'transaction-begun'; readonly transactionalId: string; readonly producerId: number; readonly producerEpoch: number })
  | (EventBase & {
      readonly type: 'transaction-ending';
      readonly transactionalId: string;
      readonly producerId: number;
      readonly producerEpoch: number;
      readonly result: TxnResult;
      readonly reason: TxnEndReason;
      readonly partitions: number;
      readonly groups: number;
    })
  | (EventBase & {
      readonly type: 'transaction-completed';
      readonly transactionalId: string;
      readonly producerId: number;
      readonly producerEpoch: number;
      readonly result: TxnResult;
      /** From the first AddPartitions/AddOffsets to the last marker. */
      readonly durationMs: number;
    })
  | (EventBase & { readonly type: 'producer-fenced'; readonly transactionalId: string; readonly producerId: number; readonly fencedEpoch: number; readonly newEpoch: number })
  | (EventBase & { readonly type: 'transactional-id-expired'; readonly transactionalId: string; readonly producerId: number });
