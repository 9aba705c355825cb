import { InvalidArgumentError, type Command } from 'commander';
import { addUser, credentialsPath, readCredentialFile, writeCredentialFile } from '../broker/credential-store.js';
import { isScramMechanism, SCRAM_MAX_ITERATIONS, SCRAM_MIN_ITERATIONS, type ScramMechanism } from '../protocol/sasl/scram.js';
import { renderTable } from './output/table.js';

const DEFAULT_DATA_DIR = './samsa-data';

function mechanismArg(value: string, previous: ScramMechanism[] | undefined): ScramMechanism[] {
  const m = value.toUpperCase();
  if (!isScramMechanism(m)) throw new InvalidArgumentError('must be SCRAM-SHA-256 or SCRAM-SHA-512.');
  return [...(previous ?? []), m];
}

function iterationsArg(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < SCRAM_MIN_ITERATIONS || n > SCRAM_MAX_ITERATIONS) throw new InvalidArgumentError(`must be an integer from ${SCRAM_MIN_ITERATIONS} to ${SCRAM_MAX_ITERATIONS}.`);
  return n;
}

async function readStdinLine(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/**
 * `samsa users add|delete|list`: SASL users of a broker's data directory (salted SCRAM credentials;
 * PLAIN logins are checked against them too). A running broker sees changes at its next
 * authentication. Kafka's tools can do the same through the broker (AlterUserScramCredentials).
 */
export function registerUsersCommand(program: Command): void {
  const users = program.command('users').description('SASL users (SCRAM credentials) of a broker data directory');
  users
    .command('add <name>')
    .description('add a user, or change its password')
    .option('--password <password>', 'the password (prefer --password-stdin: arguments show up in ps and shell history)')
    .option('--password-stdin', 'read the password from standard input')
    .option('--mechanism <mechanism>', 'SCRAM-SHA-256 or SCRAM-SHA-512 (repeatable; default both)', mechanismArg)
    .option('--iterations <n>', `PBKDF2 iterations (default ${SCRAM_MIN_ITERATIONS})`, iterationsArg)
    .option('--data-dir <dir>', `the broker's data directory (default ${DEFAULT_DATA_DIR})`)
    .action(async (name: string, flags: { password?: string; passwordStdin?: boolean; mechanism?: ScramMechanism[]; iterations?: number; dataDir?: string }, cmd: Command) => {
      if ((flags.password === undefined) === (flags.passwordStdin !== true)) cmd.error('error: give exactly one of --password and --password-stdin', { exitCode: 2 });
      const password = flags.password ?? (await readStdinLine());
      if (password === '') cmd.error('error: the password is empty', { exitCode: 2 });
      const path = credentialsPath(flags.dataDir ?? DEFAULT_DATA_DIR);
      const table = readCredentialFile(path);
      addUser(table, name, password, flags.mechanism, flags.iterations);
      writeCredentialFile(path, table);
      process.stdout.write(`user ${name}: ${table.describe(name)!.mechanisms.map((m) => m.mechanism).join(', ')}\n`);
    });
  users
    .command('delete <name>')
    .description('remove a user (or one of its mechanisms)')
    .option('--mechanism <mechanism>', 'remove only this mechanism', mechanismArg)
    .option('--data-dir <dir>', `the broker's data directory (default ${DEFAULT_DATA_DIR})`)
    .action((name: string, flags: { mechanism?: ScramMechanism[]; dataDir?: string }) => {
      const path = credentialsPath(flags.dataDir ?? DEFAULT_DATA_DIR);
      const table = readCredentialFile(path);
      const removed = flags.mechanism === undefined ? table.delete(name) : flags.mechanism.map((m) => table.delete(name, m)).some(Boolean);
      if (!removed) {
        process.stderr.write(`error: no such user: ${name}\n`);
        process.exitCode = 1;
        return;
      }
      writeCredentialFile(path, table);
      process.stdout.write(`deleted ${name}\n`);
    });
  users
    .command('list')
    .description('list users and their mechanisms (never passwords)')
    .option('--data-dir <dir>', `the broker's data directory (default ${DEFAULT_DATA_DIR})`)
    .option('--format <format>', 'table or json', 'table')
    .action((flags: { dataDir?: string; format: string }) => {
      const list = readCredentialFile(credentialsPath(flags.dataDir ?? DEFAULT_DATA_DIR)).list();
      if (flags.format === 'json') process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      else process.stdout.write(renderTable(['USER', 'MECHANISMS', 'ITERATIONS'], list.map((u) => [u.user, u.mechanisms.map((m) => m.mechanism).join(', '), u.mechanisms.map((m) => m.iterations).join(', ')])) + '\n');
    });
}
