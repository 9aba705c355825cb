import { readFileSync } from 'node:fs';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { parseProperties, securityFromProperties, type ClientSecurityProperties } from './client-properties.js';
import { createAdmin, type Admin } from '../client/admin/index.js';
import { KafkaConfigError, KafkaError } from '../client/errors.js';
import type { ClientOptions } from '../client/options.js';
import { ErrorCode } from '../protocol/errors.js';
import { API_SPECS } from '../protocol/messages/index.js';
import { Progress } from './output/progress.js';
import { colourWanted, createStyle, type Style } from './output/style.js';

export const DEFAULT_BOOTSTRAP_SERVER = 'localhost:9092';
export const BOOTSTRAP_ENV = 'SAMSA_BOOTSTRAP_SERVER';

export type OutputFormat = 'table' | 'json';

/** Options every cluster command takes. */
export interface CommonFlags {
  bootstrapServer?: string;
  format: OutputFormat;
  requestTimeoutMs?: number;
  maxApiVersion?: Array<[number, number]>;
  commandConfig?: string;
}

/** A command line we cannot accept: printed with the command's usage, exit code 2. */
export class UsageError extends Error {}

/** An expected failure (unknown group, a refused reset): one `error:` line, exit code 1. */
export class CliError extends Error {}

/** Exit codes: 0 success, 1 failure, 2 bad command line (as start and most Unix tools use). */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Adds --bootstrap-server, --format and --request-timeout-ms (every cluster command has them). */
export function withCommonOptions(cmd: Command): Command {
  return cmd
    .option('--bootstrap-server <host:port,...>', `brokers to start from (default: $${BOOTSTRAP_ENV} or ${DEFAULT_BOOTSTRAP_SERVER})`)
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('--command-config <file>', 'Kafka client properties (security.protocol, sasl.mechanism, sasl.jaas.config, ssl.*.location as PEM), as Kafka\'s tools take')
    .option('--request-timeout-ms <ms>', 'how long to wait for each broker answer (default: 10000)', integerArg(1))
    .option('--max-api-version <api=version>', 'never use a newer version of this API (name or key, e.g. ListOffsets=3): a way around a broker that implements a version wrongly (repeatable)',
      (value: string, previous: Array<[number, number]> | undefined) => [...(previous ?? []), parseApiVersionCap(value)]);
}

/** `ListOffsets=3` or `2=3`. */
export function parseApiVersionCap(value: string): [number, number] {
  const m = /^([A-Za-z]+|\d+)=(\d+)$/.exec(value.trim());
  if (m === null) throw new InvalidArgumentError(`"${value}" is not api=version (e.g. ListOffsets=3).`);
  const specs = API_SPECS as Record<number, { name: string }>;
  const key = /^\d+$/.test(m[1]!) ? Number(m[1]) : Number(Object.keys(specs).find((k) => specs[Number(k)]!.name.toLowerCase() === m[1]!.toLowerCase()) ?? NaN);
  if (specs[key] === undefined) throw new InvalidArgumentError(`"${m[1]}" is not a Kafka API this client uses.`);
  return [key, Number(m[2])];
}

/** Commander argument parser for an integer >= min. */
export function integerArg(min: number, what = 'an integer'): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`"${value}" is not ${what}.`);
    if (n < min) throw new InvalidArgumentError(`${value} must be at least ${min}.`);
    return n;
  };
}

/** Everything a command needs to reach the cluster and to print. */
export class CliContext {
  readonly bootstrap: string;
  readonly format: OutputFormat;
  /** Colours for stdout. */
  readonly style: Style;
  /** Colours for stderr (warnings). */
  readonly errStyle: Style;
  readonly progress: Progress;
  readonly stdoutIsTty: boolean;
  private admin_: Admin | null = null;
  private security_: ClientSecurityProperties | undefined;
  private readonly closers: Array<() => Promise<void>> = [];

  constructor(readonly flags: CommonFlags) {
    const fromConfig = flags.commandConfig === undefined ? undefined : (this.security_ = readCommandConfig(flags.commandConfig)).bootstrapServers;
    this.bootstrap = flags.bootstrapServer ?? process.env[BOOTSTRAP_ENV] ?? fromConfig ?? DEFAULT_BOOTSTRAP_SERVER;
    this.format = flags.format ?? 'table';
    this.stdoutIsTty = process.stdout.isTTY === true;
    this.style = createStyle(this.format === 'table' && colourWanted(process.stdout));
    this.errStyle = createStyle(colourWanted(process.stderr));
    this.progress = new Progress(process.stderr, process.stderr.isTTY === true);
  }

  /** Options for any client the command creates (admin, producer). */
  clientOptions(clientId = 'samsa-cli'): ClientOptions {
    return {
      ...this.securityOptions(),
      bootstrapServers: this.bootstrap,
      clientId,
      requestTimeoutMs: this.flags.requestTimeoutMs ?? 10_000,
      connectionTimeoutMs: Math.min(this.flags.requestTimeoutMs ?? 10_000, 10_000),
      // An operator waits for the answer: fail within seconds, not after a long retry ladder.
      retries: 3,
      ...(this.flags.maxApiVersion === undefined ? {} : { maxApiVersions: Object.fromEntries(this.flags.maxApiVersion) }),
    };
  }

  /** `ssl` and `sasl` from --command-config (read once). */
  private securityOptions(): Pick<ClientOptions, 'ssl' | 'sasl'> {
    if (this.flags.commandConfig === undefined) return {};
    this.security_ ??= readCommandConfig(this.flags.commandConfig);
    const { tls, sasl } = this.security_;
    const read = (path: string | undefined): Buffer | undefined => (path === undefined ? undefined : readFileSync(path));
    return {
      ...(sasl !== null ? { sasl } : {}),
      ...(tls !== null
        ? { ssl: { ca: read(tls.caFile), cert: read(tls.certFile), key: read(tls.keyFile), passphrase: tls.keyPassword, ...(tls.verifyHostname ? {} : { checkServerIdentity: () => undefined }) } }
        : {}),
    };
  }

  admin(): Admin {
    if (this.admin_ === null) {
      const admin = createAdmin(this.clientOptions());
      this.admin_ = admin;
      this.onClose(() => admin.close());
    }
    return this.admin_;
  }

  onClose(close: () => Promise<void>): void {
    this.closers.push(close);
  }

  async close(): Promise<void> {
    this.progress.stop();
    for (const c of this.closers.splice(0).reverse()) await c().catch(() => {});
  }

  out(text: string): void {
    this.progress.stop();
    process.stdout.write(text);
  }

  /** Pretty JSON for one answer (the shapes are documented in docs/cli-json.md). */
  json(value: unknown): void {
    this.out(JSON.stringify(value, null, 2) + '\n');
  }

  /** A warning on stderr (never mixed into the table or JSON on stdout). */
  warn(text: string): void {
    this.progress.stop();
    process.stderr.write(`${this.errStyle.yellow('warning:')} ${text}\n`);
  }

  /** A note on stderr (for people; scripts read stdout). */
  note(text: string): void {
    this.progress.stop();
    process.stderr.write(`${text}\n`);
  }
}

/**
 * Wraps a command's action: builds the context from the command's options, runs the action, and
 * turns any failure into one `error:` line with the right exit code. Usage errors go through
 * Commander so the usage is printed after the message.
 */
export function action<F extends object>(
  run: (ctx: CliContext, flags: F & CommonFlags, cmd: Command) => Promise<void>,
): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command;
    const flags = cmd.opts() as F & CommonFlags;
    let ctx: CliContext;
    try {
      ctx = new CliContext(flags);
    } catch (err) {
      if (err instanceof UsageError) cmd.error(`error: ${err.message}`, { exitCode: EXIT_USAGE, code: 'samsa.usage' });
      throw err;
    }
    let failure: unknown = null;
    try {
      await run(ctx, flags, cmd);
    } catch (err) {
      failure = err;
    } finally {
      await ctx.close();
    }
    if (failure === null) return;
    if (failure instanceof UsageError || failure instanceof KafkaConfigError) {
      cmd.error(`error: ${failure.message}`, { exitCode: EXIT_USAGE, code: 'samsa.usage' });
    }
    process.stderr.write(`${ctx.errStyle.red('error:')} ${describeFailure(failure, ctx.bootstrap)}\n`);
    process.exitCode = EXIT_FAILURE;
  };
}

/** One line saying what went wrong, naming the address tried when the cluster was unreachable. */
export function describeFailure(err: unknown, bootstrap: string): string {
  if (err instanceof KafkaError) {
    if (err.code === ErrorCode.NETWORK_EXCEPTION || (err.code === ErrorCode.REQUEST_TIMED_OUT && err.api === undefined)) {
      return `cannot reach the cluster at ${bootstrap}: ${oneLine(err.message)}`;
    }
    if (err.code === ErrorCode.GROUP_ID_NOT_FOUND && err.groupId !== undefined) return `group "${err.groupId}" does not exist`;
    if (err.code === ErrorCode.UNSUPPORTED_VERSION) {
      return `${oneLine(err.message)} (the broker at ${bootstrap} does not implement what this command needs)`;
    }
    return oneLine(err.message);
  }
  if (err instanceof CliError) return oneLine(err.message);
  return oneLine(err instanceof Error ? `${err.message}` : String(err));
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function readCommandConfig(path: string): ClientSecurityProperties {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read --command-config ${path}: ${(err as Error).message}`);
  }
  try {
    return securityFromProperties(parseProperties(text));
  } catch (err) {
    throw new UsageError(`--command-config ${path}: ${(err as Error).message}`);
  }
}
