import { eventChannels } from '../../common/event-channels.js';
import type { TxnCoordinatorEvent } from '../../coordinator/txn/index.js';

/**
 * Transaction coordinator facts on `node:diagnostics_channel`, one channel per kind: what the
 * core reports (producer ids, transactions begun, ending and completed, fencing, expiry) plus
 * what the shell does with its log and markers. Listed in docs/events.md.
 */
export const TXN_EVENTS = {
  producerIdAllocated: 'samsa:txn:producer-id-allocated',
  transactionBegun: 'samsa:txn:transaction-begun',
  transactionEnding: 'samsa:txn:transaction-ending',
  transactionCompleted: 'samsa:txn:transaction-completed',
  producerFenced: 'samsa:txn:producer-fenced',
  transactionalIdExpired: 'samsa:txn:transactional-id-expired',
  markersFailed: 'samsa:txn:markers-failed',
  loaded: 'samsa:txn:loaded',
} as const;

interface BrokerRef {
  nodeId: number;
  port: number;
}

type EventOf<T extends TxnCoordinatorEvent['type']> = Extract<TxnCoordinatorEvent, { type: T }> & BrokerRef;

export interface TxnEventPayloads {
  [TXN_EVENTS.producerIdAllocated]: EventOf<'producer-id-allocated'>;
  [TXN_EVENTS.transactionBegun]: EventOf<'transaction-begun'>;
  [TXN_EVENTS.transactionEnding]: EventOf<'transaction-ending'>;
  [TXN_EVENTS.transactionCompleted]: EventOf<'transaction-completed'>;
  [TXN_EVENTS.producerFenced]: EventOf<'producer-fenced'>;
  [TXN_EVENTS.transactionalIdExpired]: EventOf<'transactional-id-expired'>;
  /** Writing a transaction's markers failed; they are retried. */
  [TXN_EVENTS.markersFailed]: BrokerRef & { transactionalId: string; producerId: number; result: 'commit' | 'abort'; error: string; attempt: number };
  /** The transaction log was replayed at start. */
  [TXN_EVENTS.loaded]: BrokerRef & { transactionalIds: number; records: number; pendingMarkers: number; durationMs: number };
}

export type TxnEventName = keyof TxnEventPayloads;

const channels = eventChannels<TxnEventPayloads>();

export function txnEventName(event: TxnCoordinatorEvent): TxnEventName {
  return `samsa:txn:${event.type}` as TxnEventName;
}

export function publishTxnEvent<N extends TxnEventName>(name: N, payload: TxnEventPayloads[N]): void {
  channels.publish(name, payload);
}

/** Subscribes to one transaction event; returns the function that unsubscribes. */
export function subscribeTxnEvent<N extends TxnEventName>(name: N, listener: (payload: TxnEventPayloads[N]) => void): () => void {
  return channels.subscribe(name, listener);
}
