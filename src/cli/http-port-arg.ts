import { InvalidArgumentError } from 'commander';

/** `--http-port`: 0 picks a free port. (Apart from observe-http, so `samsa start` parses it without loading the HTTP server.) */
export function httpPortArg(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number (0-65535; 0 picks a free one).');
  return n;
}
