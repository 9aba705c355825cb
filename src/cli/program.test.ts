import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildProgram } from './program.js';

const EVERY_COMMAND = ['start', 'groups', 'topics', 'lag', 'doctor', 'produce', 'consume', 'storage', 'transactions', 'exporter', 'dashboard', 'users', 'acls', 'lab'];

describe('the samsa program', () => {
  it('registers every command for help and for a command line that names none of them', async () => {
    const program = await buildProgram();
    assert.deepEqual(program.commands.map((c) => c.name()).sort(), [...EVERY_COMMAND].sort());
    assert.match(program.helpInformation(), /start \[options\][\s\S]*users/);
  });

  it('loads only the named command (a module that registers several brings them all)', async () => {
    assert.deepEqual((await buildProgram('start')).commands.map((c) => c.name()), ['start']);
    assert.deepEqual((await buildProgram('groups')).commands.map((c) => c.name()), ['groups']);
    assert.deepEqual((await buildProgram('dashboard')).commands.map((c) => c.name()).sort(), ['dashboard', 'exporter']);
  });
});
