import { Prng } from '../../src/common/prng.js';
import { TxnCoordinatorKit, initBody } from '../../src/coordinator/txn/test-kit.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { ATTR_CONTROL, ATTR_TRANSACTIONAL, BATCH, CompressionType, writeInt64 } from '../../src/protocol/record-batch-header.js';
import { CONTROL_TYPE_ABORT, CONTROL_TYPE_COMMIT } from '../../src/protocol/control-record.js';
import { ProducerStateManager } from '../../src/storage/producer-state.js';
import type { InitProducerIdResponseInit } from '../../src/protocol/messages/index.js';

/**
 * A seeded world for the transaction coordinator: producer instances (zombies included) of a few
 * transactional ids, partitions modelled by the real storage ProducerStateManager plus a plain
 * list of what was appended, marker jobs run late or cut short, coordinator crashes and virtual
 * time that makes transactions time out. Invariants are checked after every step.
 */
export interface TxnSimResult {
  seed: number;
  steps: number;
  failure: string | null;
  trace: string[];
  stats: { commits: number; aborts: number; crashes: number; appends: number; fencedAppends: number };
}

interface Entry {
  offset: number;
  producerId: number;
  epoch: number;
  /** null for data; the outcome for a marker. */
  marker: 'commit' | 'abort' | null;
}

interface Partition {
  key: string;
  state: ProducerStateManager;
  entries: Entry[];
  /** producer id -> the transaction (txnKey) open here and its first offset. */
  open: Map<number, { txnKey: string; firstOffset: number }>;
}

interface Instance {
  name: string;
  transactionalId: string;
  producerId: number;
  epoch: number;
  /** Partitions the coordinator confirmed for the current transaction. */
  added: Set<string>;
  sequences: Map<string, number>;
}

const TXN_IDS = ['a', 'b', 'c'];
const PARTITIONS = ['x-0', 'x-1', 'y-0', 'y-1'];

function header(producerId: number, epoch: number, attributes: number, baseSequence: number): Buffer {
  const b = Buffer.alloc(BATCH.HEADER_BYTES + 16);
  writeInt64(b, BATCH.PRODUCER_ID, producerId);
  b.writeInt16BE(epoch, BATCH.PRODUCER_EPOCH);
  b.writeInt16BE(attributes, BATCH.ATTRIBUTES);
  b.writeInt32BE(baseSequence, BATCH.BASE_SEQUENCE);
  b.writeInt32BE(1, BATCH.RECORD_COUNT);
  return b;
}

/**
 * A control batch with one marker record: attributes 0, timestamp and offset deltas 0, a 4-byte
 * key [version 0][type], a 6-byte value [version 0][coordinator epoch 0], no headers.
 */
function markerBatch(producerId: number, epoch: number, type: number): Buffer {
  const body = Buffer.from([0, 0, 0, 8, 0, 0, 0, type, 12, 0, 0, 0, 0, 0, 0, 0]);
  const record = Buffer.concat([Buffer.from([body.length * 2]), body]);
  const h = header(producerId, epoch, ATTR_CONTROL | ATTR_TRANSACTIONAL | CompressionType.None, -1).subarray(0, BATCH.HEADER_BYTES);
  const full = Buffer.concat([h, record]);
  full.writeInt32BE(full.length - BATCH.LOG_OVERHEAD, BATCH.BATCH_LENGTH);
  return full;
}

export class TxnWorld {
  readonly rng: Prng;
  readonly kit: TxnCoordinatorKit;
  private readonly partitions = new Map<string, Partition>();
  private instances: Instance[] = [];
  private nextInstance = 0;
  /** txnKey (transactional id @ start time) -> outcome, from markers and the coordinator. */
  private readonly outcomes = new Map<string, 'commit' | 'abort'>();
  /** txnKey -> outcome an EndTxn was answered NONE for. */
  private readonly told = new Map<string, 'commit' | 'abort'>();
  /** Parked EndTxn request id -> the txnKey and outcome asked. */
  private readonly parked = new Map<number, { txnKey: string; result: 'commit' | 'abort' }>();
  /** txnKey -> partitions confirmed by AddPartitions during that transaction. */
  private readonly confirmed = new Map<string, Set<string>>();
  private eventsSeen = 0;
  /** transactional id -> transactions begun so far (from the coordinator's transaction-begun events). */
  private readonly serials = new Map<string, number>();
  readonly trace: string[] = [];
  readonly stats = { commits: 0, aborts: 0, crashes: 0, appends: 0, fencedAppends: 0 };

  constructor(readonly seed: number) {
    this.rng = new Prng(seed);
    this.kit = new TxnCoordinatorKit({ config: { producerIdBlockSize: 5, transactionalIdExpirationMs: 3_600_000 } });
    for (const key of PARTITIONS) this.partitions.set(key, { key, state: new ProducerStateManager(), entries: [], open: new Map() });
  }

  step(): void {
    const r = this.rng.next();
    if (r < 0.12) this.newInstance();
    else if (r < 0.32) this.addPartitions();
    else if (r < 0.6) this.produce();
    else if (r < 0.72) this.endTxn();
    else if (r < 0.86) this.runMarkers(this.rng.bool(0.15));
    else if (r < 0.95) this.advance(this.rng.int(100, 4000));
    else this.crash();
    this.absorbEvents();
    this.checkInvariants();
  }

  /** Lets everything finish: timeouts fire, every marker is written. */
  quiesce(): void {
    for (let i = 0; i < 20; i++) {
      this.advance(20_000);
      while (this.kit.pendingMarkers.length > 0) this.runMarkers(false);
      this.absorbEvents();
    }
    this.checkInvariants();
    for (const p of this.partitions.values()) {
      const end = p.entries.length;
      if (p.state.lastStableOffset(end) !== end) throw new Error(`${p.key}: LSO ${p.state.lastStableOffset(end)} stays below the log end ${end} after every transaction ended`);
    }
    for (const id of this.kit.core.transactionalIds()) {
      const s = this.kit.core.transaction(id)!.state;
      if (s === 'Ongoing' || s === 'PrepareCommit' || s === 'PrepareAbort') throw new Error(`${id} is still ${s} after quiescing`);
    }
  }

  private log(line: string): void {
    this.trace.push(`t=${this.kit.nowMs} ${line}`);
    if (this.trace.length > 300) this.trace.shift();
  }

  /** The current transaction of an id, named by how many it has begun (`a#3`), or null before the first. */
  private txnKey(transactionalId: string): string | null {
    this.absorbEvents();
    const serial = this.serials.get(transactionalId);
    return serial === undefined ? null : `${transactionalId}#${serial}`;
  }

  private newInstance(): void {
    const transactionalId = this.rng.pick(TXN_IDS);
    const res = this.kit.call('init-producer-id', initBody(transactionalId, { transactionTimeoutMs: this.rng.int(2000, 10_000) })) as InitProducerIdResponseInit;
    this.log(`init ${transactionalId} -> ${res.errorCode} pid=${res.producerId} epoch=${res.producerEpoch}`);
    if (res.errorCode !== ErrorCode.NONE) return;
    this.instances.push({ name: `${transactionalId}#${this.nextInstance++}`, transactionalId, producerId: res.producerId!, epoch: res.producerEpoch!, added: new Set(), sequences: new Map() });
    if (this.instances.length > 8) this.instances.shift();
  }

  private pickInstance(): Instance | null {
    return this.instances.length === 0 ? null : this.rng.pick(this.instances);
  }

  private addPartitions(): void {
    const inst = this.pickInstance();
    if (inst === null) return;
    const chosen = PARTITIONS.filter(() => this.rng.bool(0.4));
    if (chosen.length === 0) return;
    const res = this.kit.call('add-partitions', {
      transactionalId: inst.transactionalId, producerId: inst.producerId, producerEpoch: inst.epoch,
      partitions: chosen.map((k) => ({ topic: k.split('-')[0]!, partition: Number(k.split('-')[1]) })),
    }) as { errorCode: number };
    this.log(`${inst.name} add ${chosen.join(',')} -> ${res.errorCode}`);
    if (res.errorCode !== ErrorCode.NONE) return;
    const key = this.txnKey(inst.transactionalId)!;
    const set = this.confirmed.get(key) ?? new Set();
    for (const k of chosen) {
      inst.added.add(k);
      set.add(k);
    }
    this.confirmed.set(key, set);
  }

  private produce(): void {
    const inst = this.pickInstance();
    if (inst === null) return;
    const key = this.rng.pick(PARTITIONS);
    const p = this.partitions.get(key)!;
    const [topic, partition] = [key.split('-')[0]!, Number(key.split('-')[1])];
    // The broker's path: verification unless a transaction is already open here, then the sequence checks.
    if (!p.state.hasOngoingTransaction(inst.producerId, inst.epoch)) {
      const verified = this.kit.core.verifyPartition(inst.transactionalId, inst.producerId, inst.epoch, topic, partition);
      if (verified !== ErrorCode.NONE) {
        this.log(`${inst.name} produce ${key} refused by verification ${verified}`);
        return;
      }
    }
    const sequence = inst.sequences.get(key) ?? 0;
    const batch = header(inst.producerId, inst.epoch, ATTR_TRANSACTIONAL, sequence);
    const check = p.state.check({ producerId: inst.producerId, producerEpoch: inst.epoch, baseSequence: sequence, lastOffsetDelta: 0, attributes: ATTR_TRANSACTIONAL });
    if (check.kind !== 'append') {
      this.stats.fencedAppends++;
      this.log(`${inst.name} produce ${key} refused ${check.kind === 'error' ? check.errorCode : 'dup'}`);
      return;
    }
    const offset = p.entries.length;
    p.state.onBatchAppended(batch, 0, batch.length, offset, offset, this.kit.nowMs);
    p.entries.push({ offset, producerId: inst.producerId, epoch: inst.epoch, marker: null });
    inst.sequences.set(key, sequence + 1);
    if (!p.open.has(inst.producerId)) {
      const txnKey = this.txnKey(inst.transactionalId);
      if (txnKey === null) throw new Error(`${inst.name} appended to ${key} with no transaction at the coordinator`);
      p.open.set(inst.producerId, { txnKey, firstOffset: offset });
    }
    this.stats.appends++;
    this.log(`${inst.name} produce ${key} @${offset}`);
  }

  private endTxn(): void {
    const inst = this.pickInstance();
    if (inst === null) return;
    const result = this.rng.bool(0.6) ? 'commit' : 'abort';
    const txnKey = this.txnKey(inst.transactionalId);
    const res = this.kit.call('end-txn', { transactionalId: inst.transactionalId, producerId: inst.producerId, producerEpoch: inst.epoch, committed: result === 'commit' });
    if ('parked' in res) {
      this.parked.set(res.parked, { txnKey: txnKey!, result });
      this.log(`${inst.name} end ${result} parked`);
    } else {
      this.log(`${inst.name} end ${result} -> ${res.errorCode}`);
      if (res.errorCode === ErrorCode.NONE && txnKey !== null) this.recordTold(txnKey, result);
    }
    inst.added.clear();
  }

  private recordTold(txnKey: string, result: 'commit' | 'abort'): void {
    const before = this.told.get(txnKey);
    if (before !== undefined && before !== result) throw new Error(`${txnKey}: clients were told both ${before} and ${result}`);
    this.told.set(txnKey, result);
    this.recordOutcome(txnKey, result, 'EndTxn answer');
  }

  private recordOutcome(txnKey: string, result: 'commit' | 'abort', where: string): void {
    const before = this.outcomes.get(txnKey);
    if (before !== undefined && before !== result) throw new Error(`${txnKey}: ${where} says ${result} but it was already ${before}`);
    this.outcomes.set(txnKey, result);
  }

  /** Runs the oldest marker job; with `cut`, the coordinator crashes after some of its partitions. */
  private runMarkers(cut: boolean): void {
    const job = this.kit.pendingMarkers.shift();
    if (job === undefined) return;
    const txnKey = this.txnKey(job.transactionalId)!;
    this.recordOutcome(txnKey, job.result, 'a marker job');
    const targets = job.partitions.map((tp) => `${tp.topic}-${tp.partition}`);
    const upTo = cut ? this.rng.int(0, targets.length) : targets.length;
    for (const key of targets.slice(0, upTo)) this.writeMarker(this.partitions.get(key)!, job.producerId, job.producerEpoch, job.result);
    if (cut) {
      this.log(`markers ${txnKey} ${job.result} cut after ${upTo}/${targets.length}; coordinator crashes`);
      this.crash();
      return;
    }
    this.absorbResult(this.kit.core.markersWritten(job, this.kit.nowMs));
    this.log(`markers ${txnKey} ${job.result} written to ${targets.join(',') || 'no partition'}`);
  }

  private writeMarker(p: Partition, producerId: number, epoch: number, result: 'commit' | 'abort'): void {
    if (p.state.checkMarker(producerId, epoch, 0) !== ErrorCode.NONE) return;
    const offset = p.entries.length;
    const batch = markerBatch(producerId, epoch, result === 'commit' ? CONTROL_TYPE_COMMIT : CONTROL_TYPE_ABORT);
    p.state.onBatchAppended(batch, 0, batch.length, offset, offset, this.kit.nowMs);
    p.entries.push({ offset, producerId, epoch, marker: result });
    const open = p.open.get(producerId);
    if (open !== undefined) {
      p.open.delete(producerId);
      this.recordOutcome(open.txnKey, result, `the marker in ${p.key}`);
    }
  }

  private absorbResult(result: { records: unknown[]; completions: Array<{ requestId: number; response: { errorCode: number } }>; markers: unknown[]; events: unknown[] }): void {
    // markersWritten goes through the kit's own bookkeeping: replay its records, keep its output.
    this.kit.absorb(result as never);
    for (const c of result.completions) {
      const asked = this.parked.get(c.requestId);
      this.parked.delete(c.requestId);
      if (asked !== undefined && c.response.errorCode === ErrorCode.NONE) this.recordTold(asked.txnKey, asked.result);
    }
  }

  private advance(ms: number): void {
    this.kit.advance(ms);
    this.log(`advance ${ms} ms`);
  }

  private crash(): void {
    this.stats.crashes++;
    this.parked.clear();
    const result = this.kit.restart();
    this.log(`coordinator restarted (${result.markers.length} marker jobs again)`);
  }

  /** Completed transactions: every partition the producer added got the outcome's marker. */
  private absorbEvents(): void {
    for (; this.eventsSeen < this.kit.events.length; this.eventsSeen++) {
      const e = this.kit.events[this.eventsSeen]!;
      if (e.type === 'transaction-begun') this.serials.set(e.transactionalId, (this.serials.get(e.transactionalId) ?? 0) + 1);
      if (e.type === 'transaction-completed') {
        if (e.result === 'commit') this.stats.commits++;
        else this.stats.aborts++;
        const txnKey = `${e.transactionalId}#${this.serials.get(e.transactionalId)}`;
        this.recordOutcome(txnKey, e.result, 'the coordinator');
        for (const key of this.confirmed.get(txnKey) ?? []) {
          const p = this.partitions.get(key)!;
          const has = p.entries.some((x) => x.producerId === e.producerId && x.marker === e.result && x.epoch === e.producerEpoch);
          if (!has) throw new Error(`${txnKey} completed (${e.result}) without a marker in ${key}`);
          if (p.open.get(e.producerId)?.txnKey === txnKey) throw new Error(`${txnKey} completed but ${key} still has it open`);
        }
      }
    }
  }

  private checkInvariants(): void {
    for (const p of this.partitions.values()) {
      const end = p.entries.length;
      const lso = p.state.lastStableOffset(end);
      let firstOpen = end;
      for (const o of p.open.values()) firstOpen = Math.min(firstOpen, o.firstOffset);
      if (lso > firstOpen) throw new Error(`${p.key}: LSO ${lso} is past the open transaction starting at ${firstOpen}`);
      if (lso < firstOpen) throw new Error(`${p.key}: LSO ${lso} is below the first open transaction offset ${firstOpen} (log end ${end})`);
      // Fencing: no data of a producer after a marker with a higher epoch.
      const markerEpoch = new Map<number, number>();
      for (const x of p.entries) {
        if (x.marker !== null) markerEpoch.set(x.producerId, Math.max(markerEpoch.get(x.producerId) ?? -1, x.epoch));
        else if (x.epoch < (markerEpoch.get(x.producerId) ?? -1)) throw new Error(`${p.key}@${x.offset}: data of fenced epoch ${x.epoch} after a marker of epoch ${markerEpoch.get(x.producerId)}`);
      }
    }
    for (const [txnKey, result] of this.told) {
      if (this.outcomes.get(txnKey) !== result) throw new Error(`${txnKey}: told ${result}, outcome ${this.outcomes.get(txnKey)}`);
    }
  }
}

export function runTxnSimulation(seed: number, steps = 400): TxnSimResult {
  const world = new TxnWorld(seed);
  let done = 0;
  try {
    for (; done < steps; done++) world.step();
    world.quiesce();
    // Replaying the log gives back the live state.
    const live = world.kit.core.durableFingerprint();
    world.kit.restart();
    if (world.kit.core.durableFingerprint() !== live) throw new Error('replaying the transaction log does not give the live state back');
    return { seed, steps: done, failure: null, trace: world.trace, stats: world.stats };
  } catch (err) {
    return { seed, steps: done, failure: (err as Error).message, trace: world.trace, stats: world.stats };
  }
}
