import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { readIntoChosenBuffers } from './chosen-read-buffers.js';

describe('readIntoChosenBuffers', () => {
  it('makes an accepted socket read into the buffers given, in order, with no data events', async () => {
    const targets: Buffer[] = [Buffer.alloc(5), Buffer.alloc(100_000)];
    let next = 0;
    const reads: Array<{ target: number; bytes: string }> = [];
    let dataEvents = 0;
    let accepted!: Socket;
    const server = createServer((socket) => {
      accepted = socket;
      const ok = readIntoChosenBuffers(
        socket,
        () => targets[Math.min(next++, targets.length - 1)]!,
        (nread, buf) => reads.push({ target: targets.indexOf(buf), bytes: buf.subarray(0, nread).toString() }),
      );
      assert.ok(ok, 'this Node lets an accepted socket read into chosen buffers');
      socket.on('data', () => dataEvents++);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    const client = connect(port, '127.0.0.1');
    await once(client, 'connect');
    client.write('hello');
    while (reads.length === 0) await new Promise((r) => setImmediate(r));
    assert.deepEqual(reads, [{ target: 0, bytes: 'hello' }], 'the first read fills the first buffer given');

    client.write('world, and more');
    while (reads.map((r) => r.bytes).join('').length < 'helloworld, and more'.length) await new Promise((r) => setImmediate(r));
    assert.ok(reads.slice(1).every((r) => r.target === 1), 'later reads go where the generator pointed');
    assert.equal(reads.map((r) => r.bytes).join(''), 'helloworld, and more');
    assert.equal(dataEvents, 0);

    const closed = once(accepted, 'close');
    client.end();
    await closed;
    server.close();
  });
});
