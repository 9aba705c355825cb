import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runProgram, samsaCommand, startTestBroker, type TestBroker } from '../helpers/index.js';
import { samsaOk } from './helpers.js';

/**
 * Runs samsa on a pseudo-terminal through util-linux `script`, which is how it behaves for a
 * person at a terminal: colour, spinners and --watch redraws. Returns everything it wrote.
 */
async function onTerminal(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const { command, args: base } = samsaCommand();
  const line = [command, ...base, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const r = await runProgram('script', ['-qec', line, '/dev/null'], { env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '', ...env }, timeoutMs: 20_000 });
  return r.stdout;
}

describe('samsa on a terminal', () => {
  let broker: TestBroker;
  let bs: string[];

  before(async () => {
    broker = await startTestBroker();
    bs = ['--bootstrap-server', broker.bootstrap];
    await samsaOk(['topics', 'create', '--topic', 'tty', '--partitions', '1', ...bs]);
    await samsaOk(['produce', '--topic', 'tty', ...bs], { input: 'a\nb\nc\n' });
    await samsaOk(['consume', '--topic', 'tty', '--group', 'tty-group', '--from-beginning', '--max-messages', '1', ...bs]);
  });
  after(() => broker.close());

  it('colours headers and verdicts, and --watch redraws in place', async () => {
    const out = await onTerminal(['lag', '--group', 'tty-group', '--watch', '--samples', '2', '--interval-ms', '100', ...bs]);
    assert.match(out, /\u001b\[1mGROUP *\u001b\[22m/, 'bold headers');
    assert.match(out, /\u001b\[32mOK/, 'green OK');
    // The second frame replaces the first: cursor up and clear, or clear screen.
    assert.match(out, /(\u001b\[\d+F\u001b\[J|\u001b\[2J\u001b\[H)\S+Z {2}sample 2/);
  });

  it('NO_COLOR turns colour off on a terminal', async () => {
    const out = await onTerminal(['topics', 'list', ...bs], { NO_COLOR: '1' });
    assert.match(out, /^TOPIC +PARTITIONS/m);
    assert.doesNotMatch(out, /\u001b\[/);
  });

  it('shows a spinner on stderr while waiting more than a second', async () => {
    const out = await onTerminal(['lag', '--group', 'tty-group', '--samples', '2', '--interval-ms', '1500', ...bs]);
    assert.match(out, /\r\u001b\[2K[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] sampling 2\/2/);
    // Cleared before the table is printed.
    assert.match(out, /\r\u001b\[2K\u001b\[1mGROUP/);
  });
});
