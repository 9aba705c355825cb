import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';

type Register = (program: Command) => void;

/**
 * Every top-level command, by name, with the module that registers it. Modules are imported only
 * when their command runs (or for help), so `samsa start` does not load the client, the CLI's
 * other commands and what they pull in before it listens. A module may register several commands.
 */
const COMMANDS: ReadonlyArray<{ names: readonly string[]; load: () => Promise<Register> }> = [
  { names: ['start'], load: async () => (await import('./start.js')).registerStartCommand },
  { names: ['groups'], load: async () => (await import('./groups/index.js')).registerGroupsCommand },
  { names: ['topics'], load: async () => (await import('./topics.js')).registerTopicsCommand },
  { names: ['lag'], load: async () => (await import('./lag.js')).registerLagCommand },
  { names: ['doctor'], load: async () => (await import('./doctor.js')).registerDoctorCommand },
  { names: ['produce'], load: async () => (await import('./produce.js')).registerProduceCommand },
  { names: ['consume'], load: async () => (await import('./consume.js')).registerConsumeCommand },
  { names: ['storage'], load: async () => (await import('./storage.js')).registerStorageCommand },
  { names: ['transactions'], load: async () => (await import('./transactions/index.js')).registerTransactionsCommand },
  { names: ['exporter', 'dashboard'], load: async () => (await import('./observe.js')).registerObserveCommands },
  { names: ['users'], load: async () => (await import('./users.js')).registerUsersCommand },
  { names: ['acls'], load: async () => (await import('./acls/index.js')).registerAclsCommand },
  { names: ['lab'], load: async () => (await import('./lab.js')).registerLabCommand },
];

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
 * `registerXCommand(program)` call, listed in COMMANDS above; settings made before that (exit
 * override, help after an error) are inherited by every subcommand. A usage error prints one
 * `error:` line and the command's usage, and exits with EXIT_USAGE.
 *
 * With `only`, just the command of that name is loaded and registered (what `samsa <command> ...`
 * needs); without it, all of them (help, unknown commands, tests).
 */
export async function buildProgram(only?: string): Promise<Command> {
  const program = new Command('samsa')
    .description('Samsa: a Kafka-compatible broker and consumer-group toolkit for Node.js')
    .version(packageVersion(), '-V, --version')
    .exitOverride()
    .showHelpAfterError()
    // A subcommand's options belong to it (`lab simulate --members 6` is simulate's, not lab's);
    // the program itself has only --version and --help.
    .enablePositionalOptions();
  const wanted = only === undefined ? COMMANDS : COMMANDS.filter((c) => c.names.includes(only));
  const registers = await Promise.all(wanted.map((c) => c.load()));
  for (const register of registers) register(program);
  return program;
}

/** The command named on the command line (the first argument), if it is one of ours. */
function commandIn(argv: readonly string[]): string | undefined {
  const first = argv[2];
  return first !== undefined && COMMANDS.some((c) => c.names.includes(first)) ? first : undefined;
}

/** Parses and runs; resolves with the process exit code for errors Commander reports. */
export async function runProgram(argv: readonly string[]): Promise<number | null> {
  try {
    await (await buildProgram(commandIn(argv))).parseAsync(argv as string[]);
    return null;
  } catch (err) {
    // Help and version requests end with code 0; anything else is a usage error.
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT_USAGE;
    throw err;
  }
}
