import { connect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { FrameDecoder } from '../../src/protocol/frame-decoder.js';
import { decodeResponseHeader, encodeRequestHeader } from '../../src/protocol/headers.js';
import { API_SPECS, type ApiKey, type ApiTypes } from '../../src/protocol/messages/index.js';
import { Reader } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';

interface AnySpec {
  encodeRequest(w: Writer, version: number, m: unknown): void;
  decodeResponse(r: Reader, version: number): unknown;
}

/**
 * A bare Kafka connection for broker tests: writes any bytes (valid requests or garbage) and
 * reads response frames in order, with no retries or version negotiation in the way.
 */
export class RawConnection {
  private readonly decoder = new FrameDecoder(1 << 30);
  private readonly frames: Buffer[] = [];
  private readonly waiters: Array<(frame: Buffer | null) => void> = [];
  private nextCorrelationId = 1;
  private ended = false;
  /** Resolves when the broker (or we) closed the connection. */
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const frame of this.decoder.push(chunk)) {
        const waiter = this.waiters.shift();
        if (waiter) waiter(frame);
        else this.frames.push(frame);
      }
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.ended = true;
        for (const w of this.waiters.splice(0)) w(null);
        resolve();
      });
    });
    socket.on('error', () => {});
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host }, () => {
        socket.off('error', reject);
        resolve(new RawConnection(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Connects over TLS (`tls` holds the CA, client certificate, ...); rejects when the handshake fails. */
  static connectTls(port: number, tls: ConnectionOptions, host = '127.0.0.1'): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket: TLSSocket = tlsConnect({ port, host, ...tls }, () => {
        socket.off('error', reject);
        resolve(new RawConnection(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Writes bytes as they are. */
  writeRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Encodes a request (size prefix, header, body); returns the bytes without sending them. */
  encode<K extends ApiKey>(apiKey: K, version: number, body: ApiTypes[K]['requestInit'], correlationId = this.nextCorrelationId++): Buffer {
    const w = new Writer({ sizePrefix: true, initialBytes: 256 });
    encodeRequestHeader(w, { apiKey, apiVersion: version, correlationId, clientId: 'raw-test' });
    (API_SPECS[apiKey] as unknown as AnySpec).encodeRequest(w, version, body);
    return w.toBuffer();
  }

  /** Sends a request; returns its correlation id. */
  send<K extends ApiKey>(apiKey: K, version: number, body: ApiTypes[K]['requestInit']): number {
    const correlationId = this.nextCorrelationId++;
    this.writeRaw(this.encode(apiKey, version, body, correlationId));
    return correlationId;
  }

  /** The next response frame (without its size prefix), or null when the connection closed first. */
  nextFrame(timeoutMs = 5000): Promise<Buffer | null> {
    const ready = this.frames.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new Error(`no response within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (frame: Buffer | null): void => {
        clearTimeout(timer);
        resolve(frame);
      };
      this.waiters.push(waiter);
    });
  }

  /** Reads the next frame as a response to (apiKey, version); checks the correlation id when given. */
  async receive<K extends ApiKey>(apiKey: K, version: number, correlationId?: number, timeoutMs?: number): Promise<ApiTypes[K]['response']> {
    const frame = await this.nextFrame(timeoutMs);
    if (frame === null) throw new Error(`connection closed before the ${API_SPECS[apiKey].name} response`);
    return decodeResponseFrame(frame, apiKey, version, correlationId);
  }

  /** Sends a request and reads its response. */
  async request<K extends ApiKey>(apiKey: K, version: number, body: ApiTypes[K]['requestInit'], timeoutMs?: number): Promise<ApiTypes[K]['response']> {
    const correlationId = this.send(apiKey, version, body);
    return this.receive(apiKey, version, correlationId, timeoutMs);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Decodes a response frame; throws when the correlation id is not the expected one. */
export function decodeResponseFrame<K extends ApiKey>(frame: Buffer, apiKey: K, version: number, correlationId?: number): ApiTypes[K]['response'] {
  const r = new Reader(frame);
  const got = decodeResponseHeader(r, apiKey, version);
  if (correlationId !== undefined && got !== correlationId) throw new Error(`correlation id ${got}, expected ${correlationId}`);
  return (API_SPECS[apiKey] as unknown as AnySpec).decodeResponse(r, version) as ApiTypes[K]['response'];
}
