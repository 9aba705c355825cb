import type { TxnCoordinatorConfig } from './config.js';
import type { TxnDurableState } from './durable-state.js';
import type { TxnMetadataValue } from './metadata.js';
import type { TxnRecord } from './records.js';
import type { MarkerJob, TxnCompletion, TxnCoordinatorEvent } from './types.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** What one call of the core accumulates. */
export class TxnOutput {
  readonly records: TxnRecord[] = [];
  readonly completions: TxnCompletion[] = [];
  readonly markers: MarkerJob[] = [];
  readonly events: TxnCoordinatorEvent[] = [];
}

/** Everything a transition needs; one per call of the core. */
export interface TxnCtx {
  readonly config: TxnCoordinatorConfig;
  readonly state: TxnDurableState;
  readonly out: TxnOutput;
  readonly nowMs: number;
  /** A producer id never handed out before (reserving a new block through a record when needed). */
  allocateProducerId(): number;
  /** Request ids of EndTxn calls waiting for their transaction's markers, by transactional id. */
  readonly parkedEndTxn: Map<string, number[]>;
}

export function emit(ctx: TxnCtx, event: DistributiveOmit<TxnCoordinatorEvent, 'atMs'>): void {
  ctx.out.events.push({ ...event, atMs: ctx.nowMs } as TxnCoordinatorEvent);
}

/** Appends the new metadata of a transactional id; the shell persists it, then `replay` applies it. */
export function persist(ctx: TxnCtx, transactionalId: string, value: TxnMetadataValue | null): void {
  ctx.out.records.push({ type: 'txn-metadata', transactionalId, value });
}
