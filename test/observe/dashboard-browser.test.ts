import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { Consumer, createAdmin, Producer, type Admin } from '../../src/client/index.js';
import { startObserveServer, type ObserveServer } from '../../src/observe/index.js';
import { makeTempDir, startTestBroker, waitFor, type TestBroker } from '../helpers/index.js';

/** Debian's Chromium (scripts/test-setup.sh installs it); never a browser download. */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Screenshots for people to look at; .tmp/ is git-ignored. */
const SCREENSHOTS = join('.tmp', 'screenshots');

describe('observe: the dashboard in a real browser', () => {
  let broker: TestBroker;
  let admin: Admin;
  let server: ObserveServer;
  let browser: BrowserContext;
  let page: Page;
  let profile: { path: string; remove(): Promise<void> };
  const consumers: Consumer[] = [];
  let producer: Producer;
  let producing: NodeJS.Timeout;
  const pageErrors: string[] = [];

  before(async () => {
    // Short KIP-848 heartbeats: a consumer-group member gets released partitions at its next one.
    broker = await startTestBroker({ groupConsumerHeartbeatIntervalMs: 300, groupConsumerMinHeartbeatIntervalMs: 100 });
    admin = createAdmin({ bootstrapServers: broker.bootstrap });
    await admin.createTopics({ topics: [{ name: 'orders', numPartitions: 6 }] });
    server = await startObserveServer({ admin, port: 0, broker, pollIntervalMs: 300 });
    producer = new Producer({ bootstrapServers: broker.bootstrap });
    let n = 0;
    producing = setInterval(() => void producer.send({ topic: 'orders', messages: [{ key: `k${n++}`, value: 'x' }] }).catch(() => undefined), 50);
    profile = await makeTempDir('samsa-chromium-');
    mkdirSync(SCREENSHOTS, { recursive: true });
    browser = await chromium.launchPersistentContext(profile.path, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, viewport: { width: 1280, height: 900 } });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
  });
  after(async () => {
    clearInterval(producing);
    await browser?.close();
    await profile?.remove();
    for (const c of consumers) await c.close().catch(() => undefined);
    await producer?.close();
    await server?.close();
    await admin?.close();
    await broker?.close();
  });

  async function joinGroup(clientId: string, groupProtocol: 'classic' | 'consumer' = 'classic'): Promise<void> {
    const c = new Consumer({
      bootstrapServers: broker.bootstrap, clientId,
      ...(groupProtocol === 'consumer' ? { groupId: 'ledger', groupProtocol } : { groupId: 'billing', partitionAssignmentStrategy: ['cooperative-sticky'], heartbeatIntervalMs: 100 }),
    });
    consumers.push(c);
    await c.subscribe({ topics: ['orders'], fromBeginning: true });
    void c.run({ eachMessage: () => new Promise<void>((resolve) => setTimeout(resolve, 5)) });
  }

  const waitCount = (selector: string, ok: (n: number) => boolean, what: string) =>
    waitFor(async () => ok(await page.locator(selector).count()), 15_000, what, 100);
  const ownerRows = () => page.locator('#ownership tbody tr[data-member]');
  const timelineRows = () => page.locator('#timeline li[data-kind]');

  it('the group page follows a rebalance live: ownership grid and timeline update without a reload', async () => {
    await joinGroup('billing-1');
    await page.goto(`${server.url}#/`);
    await page.locator('#groups tr[data-group="billing"]').waitFor({ timeout: 15_000 });
    await page.screenshot({ path: join(SCREENSHOTS, 'overview.png') });
    await page.click('a[href="#/group/billing"]');
    await waitCount('#ownership td[data-owned="true"]', (n) => n === 6, 'six owned cells');
    assert.equal(await ownerRows().count(), 1);
    await waitCount('#timeline li[data-kind]', (n) => n === 1, 'the first timeline entry');
    // Marks the document: a reload would lose it.
    await page.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 42));

    await joinGroup('billing-2');
    await waitCount('#ownership tbody tr[data-member]', (n) => n === 2, 'two members in the grid');
    await waitFor(async () => {
      const rows = await ownerRows().all();
      const owned = await Promise.all(rows.map((r) => r.locator('td[data-owned="true"]').count()));
      return owned.length === 2 && owned.every((n) => n === 3);
    }, 15_000, 'three partitions each', 100);
    // Cooperative-sticky: one generation revokes, the next reassigns.
    await waitCount('#timeline li[data-kind]', (n) => n >= 3, 'both cooperative rounds in the timeline');
    assert.equal(await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker), 42, 'no reload happened');
    const newest = timelineRows().first();
    assert.equal(await newest.getAttribute('data-generation'), '3');
    assert.match(await newest.innerText(), /cooperative second round/);
    assert.match(await newest.innerText(), /moved 3/);
    assert.match(await page.locator('#timeline-source').innerText(), /exact/);
    await waitCount('#chart-lag canvas', (n) => n > 0, 'the lag chart');
    await page.screenshot({ path: join(SCREENSHOTS, 'group.png'), fullPage: true });
    assert.deepEqual(pageErrors, [], 'no script errors');
  });

  it('a consumer group (KIP-848): its page follows a reconciliation round live', async () => {
    await joinGroup('ledger-1', 'consumer');
    await page.goto(`${server.url}#/`);
    await page.locator('#groups tr[data-group="ledger"]').waitFor({ timeout: 15_000 });
    await page.click('a[href="#/group/ledger"]');
    await waitCount('#ownership td[data-owned="true"]', (n) => n === 6, 'six owned cells');
    await waitCount('#timeline li[data-kind]', (n) => n === 1, 'the first round');
    await page.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 848));
    await joinGroup('ledger-2', 'consumer');
    await waitFor(async () => {
      const rows = await ownerRows().all();
      const owned = await Promise.all(rows.map((r) => r.locator('td[data-owned="true"]').count()));
      return owned.length === 2 && owned.every((n) => n === 3);
    }, 15_000, 'three partitions each', 100);
    await waitCount('#timeline li[data-kind]', (n) => n === 2, 'the scale-out round in the timeline');
    assert.equal(await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker), 848, 'no reload happened');
    const newest = timelineRows().first();
    assert.equal(await newest.getAttribute('data-generation'), '2');
    const text = await newest.innerText();
    assert.match(text, /group epoch 1 → 2/);
    assert.match(text, /uniform · consumer/);
    assert.match(text, /ledger-2 .* joined/);
    assert.match(text, /moved 3/);
    assert.match(await page.locator('#group-summary').innerText(), /consumer \(KIP-848\)/);
    await page.screenshot({ path: join(SCREENSHOTS, 'group-kip848.png'), fullPage: true });
    assert.deepEqual(pageErrors, [], 'no script errors');
  });

  it('is readable on a phone', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.locator('#ownership').waitFor({ timeout: 15_000 });
    const overflow = await page.evaluate(() => {
      const g = globalThis as unknown as { innerWidth: number; document: { documentElement: { scrollWidth: number } } };
      return g.document.documentElement.scrollWidth - g.innerWidth;
    });
    assert.ok(overflow <= 0, `the page does not scroll sideways (wide tables scroll inside their box): ${overflow}px`);
    await page.screenshot({ path: join(SCREENSHOTS, 'group-phone.png'), fullPage: true });
  });
});
