import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';
import { FrameDecoder } from '../../src/protocol/frame-decoder.js';
import { Reader } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';
import { decodeRequestHeader, decodeResponseHeader, encodeResponseHeader } from '../../src/protocol/headers.js';
import { decodeFindCoordinatorResponse, decodeMetadataResponse, encodeFindCoordinatorResponse, encodeMetadataResponse } from '../../src/protocol/messages/index.js';

/**
 * A TCP proxy in front of one broker, for fault injection. It rewrites broker addresses in
 * Metadata and FindCoordinator answers to itself, so every connection of the client stays on the
 * proxy, and it can cut a connection right after the broker answered a chosen request, before
 * the answer reaches the client (the request took effect; the client cannot know).
 */
export class FaultProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;
  /** Answers to drop (closing the connection instead), by API key: how many more. */
  readonly dropAnswers = new Map<number, number>();
  readonly seen: Array<{ apiKey: number; apiVersion: number }> = [];
  /** Answers of these API keys are held (with every later answer on the same connection, to keep their order) until release(). */
  readonly holdAnswers = new Set<number>();
  private readonly held: Array<{ client: Socket; frames: Buffer[] }> = [];

  /** With `tls` (key and cert), clients must speak TLS to the proxy; it talks plain TCP onwards. */
  constructor(private readonly target: { host: string; port: number }, tls?: TlsOptions) {
    this.server = tls === undefined ? createServer((client) => this.onClient(client)) : createTlsServer(tls, (client) => this.onClient(client));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, 'localhost', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  get bootstrap(): string {
    return `localhost:${this.port}`;
  }

  private onClient(client: Socket): void {
    const upstream = createConnection(this.target);
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => {
        this.sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    const pending = new Map<number, { apiKey: number; apiVersion: number }>();
    const fromClient = new FrameDecoder(1 << 28);
    client.on('data', (chunk: Buffer) => {
      for (const frame of fromClient.push(chunk)) {
        const h = decodeRequestHeader(new Reader(frame));
        pending.set(h.correlationId, { apiKey: h.apiKey, apiVersion: h.apiVersion });
        this.seen.push({ apiKey: h.apiKey, apiVersion: h.apiVersion });
        upstream.write(withSize(frame));
      }
    });
    const fromBroker = new FrameDecoder(1 << 28);
    let heldHere: { client: Socket; frames: Buffer[] } | null = null;
    upstream.on('data', (chunk: Buffer) => {
      for (const frame of fromBroker.push(chunk)) {
        if (heldHere !== null && heldHere.frames.length === 0) heldHere = null; // released
        if (heldHere === null && this.holdAnswers.has(pending.get(frame.readInt32BE(0))?.apiKey ?? -1)) {
          heldHere = { client, frames: [] };
          this.held.push(heldHere);
        }
        const correlationId = frame.readInt32BE(0);
        const req = pending.get(correlationId);
        pending.delete(correlationId);
        const left = req === undefined ? 0 : this.dropAnswers.get(req.apiKey) ?? 0;
        if (req !== undefined && left > 0) {
          this.dropAnswers.set(req.apiKey, left - 1);
          client.destroy();
          upstream.destroy();
          return;
        }
        const out = req === undefined ? withSize(frame) : this.rewrite(frame, req.apiKey, req.apiVersion);
        if (heldHere !== null) heldHere.frames.push(out);
        else client.write(out);
      }
    });
  }

  /** Stops holding and sends every held answer, in order. */
  release(): void {
    this.holdAnswers.clear();
    for (const h of this.held.splice(0)) {
      for (const frame of h.frames) if (!h.client.destroyed) h.client.write(frame);
      h.frames.length = 0;
    }
  }

  /** Answers held now (each with the later answers of its connection). */
  get heldCount(): number {
    return this.held.length;
  }

  private rewrite(frame: Buffer, apiKey: number, version: number): Buffer {
    if (apiKey !== 3 && apiKey !== 10) return withSize(frame);
    const r = new Reader(frame);
    const correlationId = decodeResponseHeader(r, apiKey, version);
    const w = new Writer({ sizePrefix: true });
    encodeResponseHeader(w, apiKey, version, correlationId);
    if (apiKey === 3) {
      const res = decodeMetadataResponse(r, version);
      encodeMetadataResponse(w, version, { ...res, brokers: res.brokers.map((b) => ({ ...b, host: 'localhost', port: this.port })) });
    } else {
      const res = decodeFindCoordinatorResponse(r, version);
      encodeFindCoordinatorResponse(w, version, { ...res, host: 'localhost', port: this.port, coordinators: res.coordinators.map((c) => ({ ...c, host: 'localhost', port: this.port })) });
    }
    return w.toBuffer();
  }

  /** Cuts every open connection now. */
  dropAll(): void {
    for (const s of this.sockets) s.destroy();
  }

  async stop(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function withSize(frame: Buffer): Buffer {
  const out = Buffer.allocUnsafe(frame.length + 4);
  out.writeInt32BE(frame.length, 0);
  frame.copy(out, 4);
  return out;
}
