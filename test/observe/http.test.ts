import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { createAdmin, type Admin } from '../../src/client/index.js';
import { startObserveServer, type ObserveServer } from '../../src/observe/index.js';
import { startTestBroker, type TestBroker } from '../helpers/index.js';

describe('observe: HTTP details', () => {
  let broker: TestBroker;
  let admin: Admin;
  let server: ObserveServer;
  before(async () => {
    broker = await startTestBroker();
    admin = createAdmin({ bootstrapServers: broker.bootstrap });
    server = await startObserveServer({ admin, port: 0, broker, pollIntervalMs: 60_000 });
  });
  after(async () => {
    await server?.close();
    await admin?.close();
    await broker?.close();
  });

  it('serves the bundled assets with their content types, versioned URLs cached for good, ETags and gzip', async () => {
    const page = await fetch(server.url);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    const html = await page.text();
    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    assert.deepEqual(assets.map((a) => a.replace(/\?v=[0-9a-f]{12}$/, '')).sort(), ['/assets/app.css', '/assets/app.js', '/assets/uPlot.iife.min.js', '/assets/uPlot.min.css']);
    let total = 0;
    for (const path of assets) {
      const res = await fetch(new URL(path, server.url), { headers: { 'accept-encoding': 'gzip' } });
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get('content-type')!, path.includes('.js') ? /^text\/javascript/ : /^text\/css/);
      assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      total += Number(res.headers.get('content-length') ?? 0);
      const again = await fetch(new URL(path.replace(/\?.*$/, ''), server.url), { headers: { 'if-none-match': res.headers.get('etag')! } });
      assert.equal(again.status, 304, `${path} revalidates`);
    }
    assert.ok(total < 300 * 1024, `a few hundred KB at most (gzipped: ${total} bytes)`);
    const raw = await new Promise<Buffer>((resolve, reject) => {
      // fetch decompresses by itself; check the bytes on the wire are gzip.
      import('node:http').then(({ get }) => get(new URL('/assets/app.js', server.url), { headers: { 'accept-encoding': 'gzip' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks)));
      }).on('error', reject), reject);
    });
    assert.match(gunzipSync(raw).toString('utf8'), /EventSource/);
  });

  it('only reads: other methods are refused, unknown paths are 404', async () => {
    const post = await fetch(`${server.url}metrics`, { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
    assert.equal((await fetch(`${server.url}nothing`)).status, 404);
    assert.equal((await fetch(`${server.url}api/groups/unknown-group`)).status, 404);
  });

  it('streams snapshots as server-sent events', async () => {
    const controller = new AbortController();
    const res = await fetch(`${server.url}api/events`, { signal: controller.signal });
    assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    const reader = res.body!.getReader();
    let text = '';
    const poll = server.poller.pollNow();
    while (!/event: snapshot\ndata: \{/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
    await poll;
    controller.abort();
    assert.match(text, /^retry: 2000/);
  });
});
