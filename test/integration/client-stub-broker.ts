import { createServer, type Server, type Socket } from 'node:net';
import { FrameDecoder } from '../../src/protocol/frame-decoder.js';
import { Reader } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';
import { decodeRequestHeader, encodeResponseHeader, type RequestHeader } from '../../src/protocol/headers.js';
import { API_SPECS } from '../../src/protocol/messages/index.js';

type AnySpec = { encodeResponse(w: Writer, v: number, body: unknown): void; decodeRequest(r: Reader, v: number): unknown };

/** What a stub handler returns: a response body, `null` for no answer (yet), or 'close'. */
export type StubReply = unknown | null | 'close';

export interface StubRequest {
  header: RequestHeader;
  body: unknown;
  socket: Socket;
  /** Answers later (for requests whose handler returned null). */
  reply(body: unknown): void;
  /** Answers with a body encoded at another version (ApiVersions' v0 error answer). */
  replyAt(version: number, body: unknown): void;
}

/**
 * A scripted broker for connection tests: decodes each request with the generated codecs and
 * answers with whatever the handler returns, encoded at the request's version.
 */
export class StubBroker {
  readonly server: Server;
  readonly requests: StubRequest[] = [];
  readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly handle: (req: StubRequest) => StubReply) {
    this.server = createServer((socket) => this.onSocket(socket));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  get bootstrap(): string {
    return `127.0.0.1:${this.port}`;
  }

  private onSocket(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    const decoder = new FrameDecoder(1 << 26);
    socket.on('data', (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) {
        const r = new Reader(frame);
        const header = decodeRequestHeader(r);
        const spec = (API_SPECS as unknown as Record<number, AnySpec>)[header.apiKey]!;
        const body = header.apiKey === 18 && header.apiVersion > 3 ? {} : spec.decodeRequest(r, header.apiVersion);
        const reply = (b: unknown, version = header.apiVersion) => {
          const w = new Writer({ sizePrefix: true });
          encodeResponseHeader(w, header.apiKey, version, header.correlationId);
          spec.encodeResponse(w, version, b);
          for (const p of w.finish()) socket.write(p);
        };
        const req: StubRequest = { header, body, socket, reply: (b) => reply(b), replyAt: (v, b) => reply(b, v) };
        this.requests.push(req);
        const out = this.handle(req);
        if (out === 'close') socket.destroy();
        else if (out !== null && out !== undefined) reply(out);
      }
    });
  }

  dropConnections(): void {
    for (const s of this.sockets) s.destroy();
  }

  async stop(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A full ApiVersions answer advertising every generated API at its whole range. */
export function apiVersionsBody(overrides: Record<number, [number, number]> = {}): unknown {
  const apiKeys = Object.values(API_SPECS).map((s) => {
    const o = overrides[s.apiKey];
    return { apiKey: s.apiKey, minVersion: o ? o[0] : s.minVersion, maxVersion: o ? o[1] : s.maxVersion };
  });
  return { errorCode: 0, apiKeys };
}

/** A one-broker Metadata answer naming the stub itself as node 1. */
export function metadataBody(port: number, topics: Array<{ name: string; partitions: number; leader?: number }> = []): unknown {
  return {
    brokers: [{ nodeId: 1, host: '127.0.0.1', port }],
    controllerId: 1,
    clusterId: 'stub',
    topics: topics.map((t) => ({
      errorCode: 0, name: t.name,
      partitions: Array.from({ length: t.partitions }, (_, i) => ({ errorCode: 0, partitionIndex: i, leaderId: t.leader ?? 1, replicaNodes: [1], isrNodes: [1] })),
    })),
  };
}
