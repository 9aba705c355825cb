import type { TimelineEntry } from '../../src/common/timeline/index.js';
import { spawnBroker, waitFor, type BrokerProcess } from '../helpers/index.js';

export const HTTP_LINE = /samsa http listening on (http:\/\/\S+\/)/;

/** `samsa start --http-port 0 <args>` as a process; resolves with its broker and HTTP addresses. */
export async function spawnObservedBroker(args: readonly string[]): Promise<{ broker: BrokerProcess; url: string }> {
  const broker = await spawnBroker(['--http-port', '0', ...args]);
  const line = await waitFor(() => HTTP_LINE.exec(broker.stdout()), 15_000, `the HTTP listen line (stdout: ${broker.stdout()})`, 50).catch(async (err: unknown) => {
    await broker.kill('SIGKILL');
    throw err;
  });
  return { broker, url: line[1]! };
}

export async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export interface TimelineAnswer {
  groupId: string;
  source: string;
  entries: TimelineEntry[];
}

export function timelineOf(url: string, group: string): Promise<TimelineAnswer> {
  return getJson<TimelineAnswer>(`${url}api/groups/${encodeURIComponent(group)}/timeline`);
}

/** Waits until the group's history has at least `count` entries; returns them. */
export async function waitForEntries(url: string, group: string, count: number, timeoutMs: number, what: string): Promise<TimelineEntry[]> {
  let last: TimelineEntry[] = [];
  try {
    return await waitFor(async () => {
      last = (await timelineOf(url, group)).entries;
      return last.length >= count ? last : null;
    }, timeoutMs, what, 200);
  } catch (err) {
    throw new Error(`${(err as Error).message}; entries so far: ${JSON.stringify(last.map(brief))}`);
  }
}

/** The facts of an entry a test compares, without times and member ids. */
export function brief(e: TimelineEntry): Record<string, unknown> {
  return {
    generation: e.generationId,
    kind: e.kind,
    causes: e.causes.map((c) => c.kind),
    members: `${e.membersBefore.length}->${e.membersAfter.length}`,
    kept: e.partitions.kept.length,
    moved: e.partitions.moved.length,
    revoked: e.partitions.revoked.length,
    assigned: e.partitions.assigned.length,
    pause: e.pause.kind,
  };
}

export const partitionsOf = (list: ReadonlyArray<{ partition: number }>): number[] => list.map((p) => p.partition).sort((a, b) => a - b);
