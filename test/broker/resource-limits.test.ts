import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { subscribeBrokerEvent, BROKER_EVENTS } from '../../src/broker/events.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { encodeRecordBatch } from '../../src/protocol/record-batch.js';
import { RawConnection, spawnBroker, startTestBroker, waitFor } from '../helpers/index.js';

const MiB = 1 << 20;

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) * 1024;
}

/** One round of a well-behaved client: produce a small batch, read it back. */
async function produceAndConsume(c: RawConnection, round: number): Promise<void> {
  const records = await encodeRecordBatch({ records: [{ key: null, value: Buffer.from(`normal-${round}`), timestamp: 1_700_000_000_000 }] });
  const p = await c.request(0, 7, { acks: 1, timeoutMs: 5000, topicData: [{ name: 'normal', partitionData: [{ index: 0, records }] }] }, 20_000);
  const part = p.responses[0]!.partitionResponses[0]!;
  assert.equal(part.errorCode, ErrorCode.NONE);
  const f = await c.request(1, 11, {
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: MiB,
    topics: [{ topic: 'normal', partitions: [{ partition: 0, fetchOffset: part.baseOffset, partitionMaxBytes: MiB }] }],
  }, 20_000);
  assert.ok((f.responses[0]!.partitions[0]!.records?.length ?? 0) > 0, 'the record just produced is fetched');
}

function openSocket(port: number, localAddress?: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1', ...(localAddress ? { localAddress } : {}) }, () => resolve(s));
    s.once('error', reject);
  });
}

describe('broker: resource limits', () => {
  it('100 connections each sending half of a maximum-size request stay under queued.max.request.bytes while a normal client works; memory returns after they leave', async (t) => {
    const maxRequest = 16 * MiB;
    const queuedMax = 32 * MiB;
    // Whether memory "returns" once the attackers leave depends on the broker dropping every
    // reference to their bytes, then on when V8 collects (an idle broker may put a major collection
    // off for minutes) and on whether the allocator hands freed pages back to the system. So the
    // broker runs with a full collection every 250 ms (a preloaded timer, its code untouched) that
    // also reports what JavaScript still holds (heap in use plus buffers): that is the check. RSS
    // after they leave is only reported: glibc keeps some freed pages (10-25 MiB here), which says
    // nothing about the broker.
    const collectAndReport = [
      '--expose-gc',
      '--import',
      'data:text/javascript,setInterval(() => { globalThis.gc(); const m = process.memoryUsage(); process.stderr.write(`held-bytes ${m.heapUsed + m.external}\\n`); }, 250).unref();',
    ];
    const broker = await spawnBroker(['--memory', '--socket-request-max-bytes', String(maxRequest), '--queued-max-request-bytes', String(queuedMax), '--log-level', 'warn'], 15_000, collectAndReport);
    const heldBytes = async (): Promise<number> => {
      // The next report after now, so it reflects a collection that ran after the caller's step.
      const seen = broker.stderr().length;
      const report = await waitFor(() => /held-bytes (\d+)\n/.exec(broker.stderr().slice(seen)), 5000, 'a memory report');
      return Number(report[1]);
    };
    const attackers: Socket[] = [];
    try {
      const normal = await RawConnection.connect(broker.port);
      await normal.request(19, 5, { topics: [{ name: 'normal', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000 });
      for (let i = 0; i < 20; i++) await produceAndConsume(normal, i);
      const baseline = rssBytes(broker.pid);
      const heldBaseline = await heldBytes();

      // Every attacker declares a frame of the maximum size and sends half of it, then stalls.
      // One shared buffer is written to every socket, so this process does not hold 100 copies.
      const head = Buffer.alloc(4);
      head.writeInt32BE(maxRequest);
      const half = Buffer.alloc(maxRequest / 2, 7);
      for (let i = 0; i < 100; i++) {
        const s = await openSocket(broker.port);
        s.on('error', () => {});
        s.write(head);
        s.write(half);
        attackers.push(s);
      }
      let peak = 0;
      for (let round = 0; round < 60; round++) {
        await produceAndConsume(normal, 100 + round);
        peak = Math.max(peak, rssBytes(broker.pid));
      }
      // The broker stopped reading most attackers: their bytes wait in this process's socket buffers.
      const blocked = attackers.filter((s) => s.writableLength > 0).length;
      assert.ok(blocked >= 80, `most attackers are held back (${blocked} of 100 still have unsent bytes)`);
      const growth = peak - baseline;
      t.diagnostic(`baseline ${(baseline / MiB).toFixed(1)} MiB, peak ${(peak / MiB).toFixed(1)} MiB, ${blocked} attackers held back`);
      // The bound, one read chunk per waiting connection, and room for the normal client and the runtime.
      const allowed = queuedMax + 100 * 64 * 1024 + 40 * MiB;
      assert.ok(growth < allowed, `RSS grew by ${(growth / MiB).toFixed(1)} MiB, allowed ${(allowed / MiB).toFixed(1)} MiB (unbounded it would be ~400 MiB)`);

      for (const s of attackers) s.destroy();
      // Memory comes back once they are gone (the normal client keeps working meanwhile).
      // Held attackers' bytes would keep at least the 32 MiB bound up.
      let round = 1000;
      let held = Infinity;
      const deadline = performance.now() + 60_000;
      while (performance.now() < deadline) {
        await produceAndConsume(normal, round++);
        held = await heldBytes();
        if (held < heldBaseline + 8 * MiB) break;
      }
      const after = rssBytes(broker.pid);
      t.diagnostic(`after they left: JavaScript holds ${((held - heldBaseline) / MiB).toFixed(1)} MiB more than before, RSS ${(after / MiB).toFixed(1)} MiB`);
      assert.ok(held < heldBaseline + 8 * MiB, `heap and buffers ${(held / MiB).toFixed(1)} MiB are back within 8 MiB of their baseline ${(heldBaseline / MiB).toFixed(1)} MiB`);
      normal.close();
    } finally {
      for (const s of attackers) s.destroy();
      await broker.kill();
    }
  });

  it('the N+1th connection is refused, and one is accepted again after another closes', async () => {
    const broker = await startTestBroker({ maxConnections: 3 });
    const refused: string[] = [];
    const unsubscribe = subscribeBrokerEvent(BROKER_EVENTS.connectionRefused, (e) => {
      if (e.port === broker.port) refused.push(e.reason);
    });
    try {
      const open = await Promise.all([0, 1, 2].map(() => RawConnection.connect(broker.port)));
      for (const c of open) assert.equal((await c.request(18, 0, {})).errorCode, ErrorCode.NONE);
      const extra = await RawConnection.connect(broker.port);
      await extra.closed;
      assert.deepEqual(refused, ['max-connections']);
      open[0]!.close();
      await waitFor(async () => {
        const again = await RawConnection.connect(broker.port);
        again.send(18, 0, {});
        const frame = await again.nextFrame(5000);
        again.close();
        return frame !== null;
      }, 10_000, 'a connection accepted after one closed');
      for (const c of open.slice(1)) c.close();
    } finally {
      unsubscribe();
      await broker.close();
    }
  });

  it('max.connections.per.ip counts each address, with overrides', async () => {
    const broker = await startTestBroker({ host: '0.0.0.0', maxConnectionsPerIp: 1, maxConnectionsPerIpOverrides: '127.0.0.2:2' });
    try {
      const first = await openSocket(broker.port, '127.0.0.1');
      const second = await openSocket(broker.port, '127.0.0.1');
      await new Promise((resolve) => second.once('close', resolve));
      const a = await openSocket(broker.port, '127.0.0.2');
      const b = await openSocket(broker.port, '127.0.0.2');
      const c = await openSocket(broker.port, '127.0.0.2');
      await new Promise((resolve) => c.once('close', resolve));
      assert.ok(!first.destroyed && !a.destroyed && !b.destroyed, 'connections within the limits stay open');
      for (const s of [first, a, b]) s.destroy();
    } finally {
      await broker.close();
    }
  });

  it('connections.max.idle.ms closes a silent connection, not one waiting for a long-poll fetch', async () => {
    const broker = await startTestBroker({ connectionsMaxIdleMs: 300 });
    const reasons: string[] = [];
    const unsubscribe = subscribeBrokerEvent(BROKER_EVENTS.connectionClosed, (e) => {
      if (e.port === broker.port) reasons.push(e.reason);
    });
    try {
      const polling = await RawConnection.connect(broker.port);
      await polling.request(19, 5, { topics: [{ name: 'idle', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000 });
      const silent = await RawConnection.connect(broker.port);
      const fetch = polling.request(1, 11, { maxWaitMs: 1500, minBytes: 1, maxBytes: MiB, topics: [{ topic: 'idle', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: MiB }] }] }, 10_000);
      await silent.closed;
      await waitFor(() => reasons.length > 0, 5000, 'the broker to report the close');
      assert.deepEqual(reasons, ['idle']);
      const answered = await fetch;
      assert.equal(answered.responses[0]!.partitions[0]!.errorCode, ErrorCode.NONE, 'the long poll was answered, not cut off');
      polling.close();
    } finally {
      unsubscribe();
      await broker.close();
    }
  });
});
