import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BufferRecycler } from './buffer-recycler.js';

describe('BufferRecycler', () => {
  it('hands out buffers of the size asked, in power-of-two classes, and none outside its range', () => {
    const r = new BufferRecycler();
    const a = r.acquire(300_000)!;
    assert.equal(a.length, 300_000);
    assert.equal(a.buffer.byteLength, 512 * 1024);
    assert.equal(r.acquire(1000), null, 'small frames are cheap to allocate');
    assert.equal(r.acquire(32 * 1024 * 1024), null, 'huge frames are rare');
  });

  it('recycles a buffer only when its last holder lets go', () => {
    const r = new BufferRecycler();
    const frame = r.acquire(200_000)!;
    const view = frame.subarray(100, 5000);
    r.retain(view); // the tail cache keeps a view
    r.release(frame); // the request is answered
    assert.ok(r.isHeld(view));
    assert.notEqual(r.acquire(200_000)!.buffer, frame.buffer, 'still held: a new buffer is handed out');
    r.release(view); // evicted
    assert.equal(r.isHeld(view), false);
    const again = r.acquire(150_000)!;
    assert.equal(again.buffer, frame.buffer, 'same class, free: reused');
    assert.equal(r.reused, 1);
  });

  it('ignores holds and releases of buffers it did not hand out, and extra releases', () => {
    const r = new BufferRecycler();
    const other = Buffer.alloc(100_000);
    r.retain(other);
    r.release(other);
    assert.equal(r.freeListBytes, 0);
    const b = r.acquire(100_000)!;
    r.release(b);
    r.release(b);
    assert.equal(r.freeListBytes, 128 * 1024, 'released once only');
  });

  it('poisons what it takes back, so a view kept without a hold reads garbage', () => {
    const r = new BufferRecycler({ poison: true });
    const b = r.acquire(70_000)!;
    b.fill(1);
    const stale = b.subarray(0, 16);
    r.release(b);
    assert.deepEqual([...stale], new Array(16).fill(0xa5));
  });

  it('keeps at most maxFreeBytes on its free lists', () => {
    const r = new BufferRecycler({ maxFreeBytes: 256 * 1024 });
    const bufs = [r.acquire(100_000)!, r.acquire(100_000)!, r.acquire(100_000)!];
    for (const b of bufs) r.release(b);
    assert.equal(r.freeListBytes, 256 * 1024);
  });
});
