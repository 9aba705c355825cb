import type { Reader } from './reader.js';
import { ProtocolError } from './protocol-error.js';

/** Kafka's "no UUID" (16 zero bytes) in its printed base64url form. */
export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

export const EMPTY_BYTES: Buffer = Buffer.alloc(0);

/** What a RECORDS field accepts when encoding: one buffer, several written back to back, or null. */
export type RecordsInput = Uint8Array | readonly Uint8Array[] | null;

export function readArray<T>(r: Reader, flex: boolean, item: () => T): T[] {
  const n = r.arrayLength(flex);
  if (n < 0) throw new ProtocolError('null array where none is allowed');
  // Grown element by element, never pre-sized from the wire count: a hostile count that the
  // frame cannot back fails on the first missing element, having allocated only what was read.
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(item());
  return out;
}

export function readNullableArray<T>(r: Reader, flex: boolean, nullableNow: boolean, item: () => T): T[] | null {
  const n = r.arrayLength(flex);
  if (n < 0) {
    if (!nullableNow) throw new ProtocolError('null array where none is allowed');
    return null;
  }
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(item());
  return out;
}

export function nonNull<T>(v: T | null, field: string, version: number): T {
  if (v === null) throw new Error(`${field} cannot be null in version ${version}`);
  return v;
}
