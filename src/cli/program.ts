import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { registerStartCommand } from './start.js';
import { registerConsumeCommand } from './consume.js';
import { registerGroupsCommand } from './groups/index.js';
import { registerLabCommand } from './lab.js';
import { registerLagCommand } from './lag.js';
import { registerObserveCommands } from './observe.js';
import { registerProduceCommand } from './produce.js';
import { registerStorageCommand } from './storage.js';
import { registerTopicsCommand } from './topics.js';
import { registerTransactionsCommand } from './transactions/index.js';
import { registerUsersCommand } from './users.js';

/** Exit code for a command line we cannot accept (as most Unix tools do). */
export const EXIT_USAGE = 2;

/** Our package.json version, found by walking up from this file (works from src/ and dist/src/). */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'samsa') return pkg.version ?? '0.0.0';
    }
    dir = dirname(dir);
  }
  return '0.0.0';
}

/**
 * The `samsa` command. Each subcommand lives in its own file and adds itself with a
 * `registerXCommand(program)` call below; settings made before that (exit override, help after
 * an error) are inherited by every subcommand. A usage error prints one `error:` line and the
 * command's usage, and exits with EXIT_USAGE.
 */
export function buildProgram(): Command {
  const program = new Command('samsa')
    .description('Samsa: a Kafka-compatible broker and consumer-group toolkit for Node.js')
    .version(packageVersion(), '-V, --version')
    .exitOverride()
    .showHelpAfterError()
    // A subcommand's options belong to it (`lab simulate --members 6` is simulate's, not lab's);
    // the program itself has only --version and --help.
    .enablePositionalOptions();
  registerStartCommand(program);
  registerGroupsCommand(program);
  registerTopicsCommand(program);
  registerLagCommand(program);
  registerProduceCommand(program);
  registerConsumeCommand(program);
  registerStorageCommand(program);
  registerTransactionsCommand(program);
  registerObserveCommands(program);
  registerUsersCommand(program);
  registerLabCommand(program);
  return program;
}

/** Parses and runs; resolves with the process exit code for errors Commander reports. */
export async function runProgram(argv: readonly string[]): Promise<number | null> {
  try {
    await buildProgram().parseAsync(argv as string[]);
    return null;
  } catch (err) {
    // Help and version requests end with code 0; anything else is a usage error.
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT_USAGE;
    throw err;
  }
}
