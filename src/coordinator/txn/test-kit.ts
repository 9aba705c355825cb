import { TxnCoordinator, type TxnCoordinatorOptions } from './coordinator.js';
import { decodeTxnRecord, encodeTxnRecordKey, encodeTxnRecordValue, type TxnRecord } from './records.js';
import {
  PARKED,
  type MarkerJob,
  type TxnCompletion,
  type TxnCoordinatorApi,
  type TxnCoordinatorApis,
  type TxnCoordinatorEvent,
  type TxnCoordinatorResult,
} from './types.js';

/**
 * A tiny shell for tests and the simulator: an in-memory "log" of encoded records, a virtual
 * clock, and marker jobs held until the test runs them. Every record goes through its binary
 * form, so what a restart replays is exactly what was written.
 */
export class TxnCoordinatorKit {
  nowMs: number;
  core: TxnCoordinator;
  readonly log: Array<{ key: Buffer; value: Buffer | null }> = [];
  /** Marker jobs not yet run, oldest first. */
  pendingMarkers: MarkerJob[] = [];
  readonly completions = new Map<number, TxnCompletion['response']>();
  readonly events: TxnCoordinatorEvent[] = [];
  private nextRequestId = 0;

  constructor(
    private readonly options: TxnCoordinatorOptions = {},
    startMs = 1_000_000,
  ) {
    this.nowMs = startMs;
    this.core = new TxnCoordinator(options);
    this.absorb(this.core.load(this.nowMs));
  }

  /** Sends a request; returns its answer, or PARKED with the request id for a parked EndTxn. */
  call<A extends TxnCoordinatorApi>(api: A, body: TxnCoordinatorApis[A]['request']): TxnCoordinatorApis[A]['response'] | { parked: number } {
    const requestId = ++this.nextRequestId;
    const result = this.core.handle({ api, requestId, body }, this.nowMs);
    this.absorb(result);
    return result.response === PARKED ? { parked: requestId } : (result.response as TxnCoordinatorApis[A]['response']);
  }

  advance(ms: number): void {
    this.nowMs += ms;
    this.absorb(this.core.tick(this.nowMs));
  }

  /** Writes the markers of every pending job (in order) and reports them. */
  writeMarkers(): MarkerJob[] {
    const jobs = this.pendingMarkers;
    this.pendingMarkers = [];
    for (const job of jobs) this.absorb(this.core.markersWritten(job, this.nowMs));
    return jobs;
  }

  /** Crash and restart: a new core replays the log; jobs not yet run are lost with the process. */
  restart(): TxnCoordinatorResult<void> {
    this.core.unload();
    this.pendingMarkers = [];
    this.core = new TxnCoordinator(this.options);
    for (const { key, value } of this.log) this.core.replay(decodeTxnRecord(key, value));
    const result = this.core.load(this.nowMs);
    this.absorb(result);
    return result;
  }

  /** The log as the core would replay it. */
  records(): TxnRecord[] {
    return this.log.map(({ key, value }) => decodeTxnRecord(key, value));
  }

  /** Persists and applies a result's records and keeps its completions, marker jobs and events. */
  absorb(result: TxnCoordinatorResult<unknown>): void {
    for (const r of result.records) {
      this.log.push({ key: encodeTxnRecordKey(r), value: encodeTxnRecordValue(r) });
      this.core.replay(r);
    }
    for (const c of result.completions) this.completions.set(c.requestId, c.response);
    this.pendingMarkers.push(...result.markers);
    this.events.push(...result.events);
  }
}

/** InitProducerId request body with defaults. */
export function initBody(transactionalId: string | null, overrides: { transactionTimeoutMs?: number; producerId?: number; producerEpoch?: number } = {}) {
  return { transactionalId, transactionTimeoutMs: overrides.transactionTimeoutMs ?? 60_000, producerId: overrides.producerId ?? -1, producerEpoch: overrides.producerEpoch ?? -1 };
}
