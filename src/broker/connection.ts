import type { Socket } from 'node:net';
import { FrameDecoder } from '../protocol/frame-decoder.js';
import { Reader } from '../protocol/reader.js';
import { Writer } from '../protocol/writer.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import { ErrorCode } from '../protocol/errors.js';
import { API_VERSIONS_KEY, decodeRequestHeader, encodeResponseHeader, type RequestHeader } from '../protocol/headers.js';
import { API_SPECS } from '../protocol/messages/index.js';
import type { BrokerContext } from './context.js';
import { BROKER_EVENTS, brokerEventWanted, publishBrokerEvent, type ConnectionCloseReason } from './events.js';
import { responseErrorCodes } from './response-errors.js';
import { NO_RESPONSE, type AnyApiHandler, type ConnectionInfo, type RequestContext } from './handler.js';

type ApiSpec = (typeof API_SPECS)[keyof typeof API_SPECS];

/** A response slot: responses leave in request order, whatever order handlers finish in. */
interface Slot {
  done: boolean;
  parts: Buffer[] | null;
}

let nextConnectionId = 1;

/**
 * One client connection: frames in, responses out in request order. Requests are pipelined (a
 * client may send many before reading any answer, from its very first byte); once
 * `maxInFlightRequestsPerConnection` are waiting, we stop reading the socket until some are
 * answered. A frame we cannot parse, an unknown API key or an unsupported version closes this
 * connection only, with a log line; every other connection is unaffected.
 */
export class Connection implements ConnectionInfo {
  readonly id = nextConnectionId++;
  readonly remoteAddress: string;
  readonly remotePort: number;
  private readonly decoder: FrameDecoder;
  private readonly slots: Slot[] = [];
  private paused = false;
  private closed = false;
  private closeReason: ConnectionCloseReason = 'client-closed';
  private closeDetail: string | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly broker: BrokerContext,
    onClose: (c: Connection) => void,
  ) {
    this.remoteAddress = socket.remoteAddress ?? 'unknown';
    this.remotePort = socket.remotePort ?? 0;
    this.decoder = new FrameDecoder(broker.config.maxRequestBytes);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => {
      if (!this.closed) {
        this.closeReason = 'socket-error';
        this.closeDetail = err.message;
      }
      broker.log.debug('connection error', { connection: this.id, error: err.message });
    });
    socket.on('close', () => {
      this.closed = true;
      broker.log.debug('connection closed', { connection: this.id, remote: this.remote, reason: this.closeReason });
      publishBrokerEvent(BROKER_EVENTS.connectionClosed, {
        nodeId: broker.config.nodeId,
        port: broker.config.port,
        connectionId: this.id,
        remote: this.remote,
        reason: this.closeReason,
        ...(this.closeDetail !== undefined ? { detail: this.closeDetail } : {}),
      });
      onClose(this);
    });
    broker.log.debug('connection opened', { connection: this.id, remote: this.remote });
    publishBrokerEvent(BROKER_EVENTS.connectionOpened, { nodeId: broker.config.nodeId, port: broker.config.port, connectionId: this.id, remote: this.remote });
  }

  private get remote(): string {
    return `${this.remoteAddress}:${this.remotePort}`;
  }

  /** Closes the connection at once (broker shutdown or a protocol violation). */
  destroy(reason: ConnectionCloseReason = 'broker-shutdown', detail?: string): void {
    if (!this.closed) {
      this.closeReason = reason;
      this.closeDetail = detail;
    }
    this.closed = true;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      this.reject(`malformed frame: ${(err as Error).message}`);
      return;
    }
    for (const frame of frames) {
      if (this.closed) return;
      this.onFrame(frame);
    }
  }

  private reject(reason: string, header?: RequestHeader): void {
    this.broker.log.warn('closing connection', {
      connection: this.id,
      remote: `${this.remoteAddress}:${this.remotePort}`,
      reason,
      ...(header ? { apiKey: header.apiKey, apiVersion: header.apiVersion, clientId: header.clientId } : {}),
    });
    this.destroy('protocol-error', reason);
  }

  private onFrame(frame: Buffer): void {
    const r = new Reader(frame);
    let header: RequestHeader;
    try {
      header = decodeRequestHeader(r);
    } catch (err) {
      this.reject(`unreadable request header: ${(err as Error).message}`);
      return;
    }
    const handler = this.broker.handlers.get(header.apiKey);
    if (handler === undefined) {
      this.reject(`unknown api key ${header.apiKey}`, header);
      return;
    }
    if (header.apiVersion < handler.minVersion || header.apiVersion > handler.maxVersion) {
      if (header.apiKey === API_VERSIONS_KEY) {
        this.answerUnsupportedApiVersions(header, handler);
        return;
      }
      this.reject(`unsupported version ${header.apiVersion} of api ${header.apiKey}`, header);
      return;
    }
    const spec = (API_SPECS as Record<number, ApiSpec>)[header.apiKey]!;
    let request: unknown;
    try {
      request = spec.decodeRequest(r, header.apiVersion);
    } catch (err) {
      if (!(err instanceof ProtocolError) && !(err instanceof RangeError)) throw err;
      this.reject(`malformed ${spec.name} v${header.apiVersion} request: ${(err as Error).message}`, header);
      return;
    }
    this.dispatch(header, handler, spec, request, frame.length);
  }

  private dispatch(header: RequestHeader, handler: AnyApiHandler, spec: ApiSpec, request: unknown, requestBytes: number): void {
    const slot: Slot = { done: false, parts: null };
    this.slots.push(slot);
    const ctx: RequestContext = { broker: this.broker, connection: this, header, version: header.apiVersion };
    // Request metrics cost nothing unless someone listens (the metrics endpoint in this process).
    const startedAt = brokerEventWanted(BROKER_EVENTS.requestCompleted) ? performance.now() : -1;
    const finish = (response: unknown): void => {
      if (response !== NO_RESPONSE) slot.parts = this.encodeResponse(header, spec, response);
      slot.done = true;
      if (startedAt >= 0) this.publishCompleted(header, spec, requestBytes, slot.parts, response, startedAt);
      this.flush();
    };
    const fail = (err: unknown): void => {
      this.broker.log.error('request handler failed', {
        connection: this.id,
        api: spec.name,
        version: header.apiVersion,
        error: err instanceof Error ? (err.stack ?? err.message) : String(err),
      });
      let response: unknown;
      try {
        response = handler.errorResponse(request, ErrorCode.UNKNOWN_SERVER_ERROR, header.apiVersion);
      } catch {
        this.destroy('protocol-error', `could not build an error response for ${spec.name}`);
        return;
      }
      finish(response);
    };
    try {
      const result = handler.handle(ctx, request);
      if (result instanceof Promise) result.then(finish, fail);
      else finish(result);
    } catch (err) {
      fail(err);
    }
    if (!this.paused && this.slots.length >= this.broker.config.maxInFlightRequestsPerConnection) {
      this.paused = true;
      this.socket.pause();
    }
  }

  private publishCompleted(header: RequestHeader, spec: ApiSpec, requestBytes: number, parts: Buffer[] | null, response: unknown, startedAt: number): void {
    let responseBytes = 0;
    if (parts !== null) for (const p of parts) responseBytes += p.length;
    publishBrokerEvent(BROKER_EVENTS.requestCompleted, {
      nodeId: this.broker.config.nodeId,
      port: this.broker.config.port,
      connectionId: this.id,
      apiKey: header.apiKey,
      api: spec.name,
      version: header.apiVersion,
      requestBytes: requestBytes + 4,
      responseBytes,
      durationMs: performance.now() - startedAt,
      errorCodes: response === NO_RESPONSE ? [] : responseErrorCodes(response),
    });
  }

  private encodeResponse(header: RequestHeader, spec: ApiSpec, response: unknown): Buffer[] | null {
    try {
      const w = new Writer({ sizePrefix: true, initialBytes: 512 });
      encodeResponseHeader(w, header.apiKey, header.apiVersion, header.correlationId);
      (spec.encodeResponse as (w: Writer, v: number, m: unknown) => void)(w, header.apiVersion, response);
      return w.finish();
    } catch (err) {
      this.broker.log.error('could not encode response', {
        connection: this.id,
        api: spec.name,
        version: header.apiVersion,
        error: (err as Error).message,
      });
      this.destroy('protocol-error', `could not encode a ${spec.name} response`);
      return null;
    }
  }

  /** Writes every finished response at the head of the queue, in request order. */
  private flush(): void {
    if (this.closed) return;
    let wrote = false;
    while (this.slots.length > 0 && this.slots[0]!.done) {
      const slot = this.slots.shift()!;
      if (slot.parts === null) continue;
      if (!wrote) this.socket.cork();
      wrote = true;
      for (const part of slot.parts) this.socket.write(part);
    }
    if (wrote) this.socket.uncork();
    if (this.paused && this.slots.length < this.broker.config.maxInFlightRequestsPerConnection) {
      this.paused = false;
      this.socket.resume();
    }
  }

  /**
   * An ApiVersions version we do not speak: answer in the v0 body layout (behind a v0 header) with
   * UNSUPPORTED_VERSION and our own ApiVersions range, so the client can retry with a version we
   * know (KIP-511). The body is not parsed: its layout may be one we have never seen.
   */
  private answerUnsupportedApiVersions(header: RequestHeader, handler: AnyApiHandler): void {
    const w = new Writer({ sizePrefix: true, initialBytes: 32 });
    w.int32(header.correlationId);
    w.int16(ErrorCode.UNSUPPORTED_VERSION);
    w.int32(1).int16(API_VERSIONS_KEY).int16(handler.minVersion).int16(handler.maxVersion);
    this.slots.push({ done: true, parts: w.finish() });
    this.flush();
  }
}
