import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { builtInAssignors } from './index.js';
import type { AssignorMember } from './types.js';

// testdata/java-parity.txt holds random groups (random subscriptions, ownership claims,
// generations and userData, multi-round join/leave/growth scenarios, with and without member and
// replica racks) with the assignment that Kafka's Java assignors computed for each. Every one must
// come out identical here.

function fixturePath(): string {
  const beside = fileURLToPath(new URL('./testdata/java-parity.txt', import.meta.url));
  // Compiled tests run from dist/src/assignors; the fixture stays in src/assignors.
  return existsSync(beside) ? beside : fileURLToPath(new URL('../../../src/assignors/testdata/java-parity.txt', import.meta.url));
}

interface ParityCase {
  assignor: string;
  counts: Map<string, number>;
  racks?: Map<string, string[][]>;
  members: AssignorMember[];
  expected: string[];
}

function parse(text: string): ParityCase[] {
  const cases: ParityCase[] = [];
  let current: ParityCase | undefined;
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    if (f[0] === 'assignor') current = { assignor: f[1]!, counts: new Map(), members: [], expected: [] };
    else if (f[0] === 'topic') {
      current!.counts.set(f[1]!, Number(f[2]));
      if (f[3] !== undefined) (current!.racks ??= new Map()).set(f[1]!, f[3].split('|').map((r) => (r === '' ? [] : r.split(','))));
    }
    else if (f[0] === 'member') {
      const owned = f[6] === '-' ? [] : f[6]!.split(';').map((t) => {
        const [topic, ps] = t.split(':') as [string, string];
        return { topic, partitions: ps.split(',').map(Number) };
      });
      current!.members.push({
        memberId: f[1]!,
        groupInstanceId: f[2] === '-' ? null : f[2]!,
        generationId: Number(f[3]),
        userData: f[4] === 'null' ? null : Buffer.from(f[4]!, 'hex'),
        topics: f[5] === '' ? [] : f[5]!.split(','),
        ownedPartitions: owned,
        rackId: f[7] === undefined || f[7] === '-' ? null : f[7],
      });
    } else if (f[0] === 'expect') current!.expected.push(line.slice('expect '.length));
    else if (f[0] === 'end') cases.push(current!);
  }
  return cases;
}

test('identical to Kafka\'s Java assignors on recorded groups', () => {
  const cases = parse(readFileSync(fixturePath(), 'utf8'));
  assert.ok(cases.length > 100);
  for (const [i, c] of cases.entries()) {
    const result = builtInAssignors.get(c.assignor)!.assign({ members: c.members, partitionsPerTopic: c.counts, partitionRacks: c.racks });
    const actual = [...result.keys()].sort().map((id) => `${id}:` + result.get(id)!.partitions.flatMap((t) => t.partitions.map((p) => ` ${t.topic}-${p}`)).join(''));
    assert.deepEqual(actual, c.expected, `case ${i} (${c.assignor})`);
  }
});
