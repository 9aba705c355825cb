import { close, fdatasync, fsync, open, read, renameSync, writeFileSync, writeSync } from 'node:fs';
import { promisify } from 'node:util';
import { dirname } from 'node:path';
import { rename, open as openFile } from 'node:fs/promises';

const readAsync = promisify(read);
export const fdatasyncAsync = promisify(fdatasync);
export const closeAsync = promisify(close);
const openAsync = promisify(open);
const fsyncAsync = promisify(fsync);

/** Reads exactly `length` bytes at `position` into a new buffer (or `into`), failing on a short file. */
export async function readAt(fd: number, position: number, length: number, into?: Buffer): Promise<Buffer> {
  const buf = into !== undefined && into.length >= length ? into.subarray(0, length) : Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await readAsync(fd, buf, done, length - done, position + done);
    if (bytesRead === 0) throw new Error(`unexpected end of file reading ${length} bytes at ${position}`);
    done += bytesRead;
  }
  return buf;
}

/** Writes all of `data[start, end)` at `position` before returning (the bytes reach the OS page cache). */
export function writeAllSync(fd: number, data: Buffer, start: number, end: number, position: number): void {
  let offset = start;
  while (offset < end) {
    offset += writeSync(fd, data, offset, end - offset, position + (offset - start));
  }
}

/** fsyncs a directory so a rename or file creation in it survives a power loss. */
export async function syncDir(dir: string): Promise<void> {
  const fd = await openAsync(dir, 'r');
  try {
    await fsyncAsync(fd);
  } finally {
    await closeAsync(fd);
  }
}

/** Replaces `path` atomically and durably: write a temporary file, sync it, rename it over. */
export async function writeFileDurably(path: string, data: string | Buffer): Promise<void> {
  const tmp = `${path}.tmp`;
  const handle = await openFile(tmp, 'w');
  try {
    await handle.writeFile(data);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await rename(tmp, path);
  await syncDir(dirname(path));
}

/** Replaces `path` atomically without waiting for the disk (index files can be rebuilt). */
export function writeFileAtomicSync(path: string, data: Buffer): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}
