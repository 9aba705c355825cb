import { Socket } from 'node:net';

/**
 * Node's `onread` for a socket the server accepted.
 *
 * A client socket can be told where each read goes (`net.connect({ onread: { buffer, callback } })`),
 * but `net.Server` builds accepted sockets itself and has no such option, so every read of the
 * broker's connections was a fresh 64 KiB buffer: a page fault per 4 KiB on a VM, a copy into
 * the frame being assembled, and array-buffer bytes that V8 counts toward its next full
 * collection (see FrameDecoder). This installs on an accepted socket what the `onread` option
 * installs on a client socket: the same three properties Node's net module reads in its read
 * callback, found by their names on a socket made with `onread`, and the stream handle's
 * `useUserBuffer`. When any of them is missing (another Node version), it changes nothing and
 * says so, and the caller keeps its 'data' handler.
 */
interface OnreadKeys {
  buffer: symbol;
  callback: symbol;
  generator: symbol;
}

let keys: OnreadKeys | null | undefined;

function onreadKeys(): OnreadKeys | null {
  if (keys !== undefined) return keys;
  // The option is Node's (net.connect documents it); the constructor's typings omit it.
  const probe = new Socket({ onread: { buffer: () => Buffer.alloc(1), callback: () => true } } as ConstructorParameters<typeof Socket>[0]);
  const named = (name: string) => Object.getOwnPropertySymbols(probe).find((s) => s.description === name);
  const buffer = named('kBuffer');
  const callback = named('kBufferCb');
  const generator = named('kBufferGen');
  const slots = probe as unknown as Record<symbol, unknown>;
  keys = buffer !== undefined && callback !== undefined && generator !== undefined && typeof slots[callback] === 'function' && typeof slots[generator] === 'function' ? { buffer, callback, generator } : null;
  probe.destroy();
  return keys;
}

/**
 * From the next read on, `socket` reads into `next()` (asked again after every read) and reports
 * each read to `onRead` instead of emitting 'data'. Call it before returning to the event loop
 * after the socket was accepted. False when this Node does not allow it: nothing was changed.
 */
export function readIntoChosenBuffers(socket: Socket, next: () => Buffer, onRead: (nread: number, buf: Buffer) => void): boolean {
  const k = onreadKeys();
  const handle = (socket as unknown as { _handle?: { useUserBuffer?: (buf: Uint8Array) => void } | null })._handle;
  if (k === null || handle === null || handle === undefined || typeof handle.useUserBuffer !== 'function') return false;
  const slots = socket as unknown as Record<symbol, unknown>;
  const first = next();
  slots[k.generator] = next;
  slots[k.callback] = (nread: number, buf: Buffer) => {
    onRead(nread, buf);
    return true;
  };
  slots[k.buffer] = first;
  handle.useUserBuffer(first);
  return true;
}
