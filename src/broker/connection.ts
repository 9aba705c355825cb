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
import type { MemoryWaiter, RequestMemoryPool } from './limits/request-memory-pool.js';
import { randomBytes } from 'node:crypto';
import { isSasl, isTls, type ListenerEndpoint } from './security/listeners.js';
import { readIntoChosenBuffers } from './chosen-read-buffers.js';
import { SASL_MAX_RECEIVE_BYTES, SaslSession, type AuthenticateResult, type HandshakeResult } from './security/sasl-session.js';
import type { SaslHooks } from './handler.js';
import type { BufferRecycler } from '../common/buffer-recycler.js';

const PRODUCE_KEY = 0;

type ApiSpec = (typeof API_SPECS)[keyof typeof API_SPECS];

/** A response slot: responses leave in request order, whatever order handlers finish in. */
interface Slot {
  done: boolean;
  parts: Buffer[] | null;
  /** Bytes of the request pool held for this request's frame, released when it is answered. */
  reservedBytes: number;
  /** Holds on recycled buffers the response's parts are views of, released once they are written. */
  releases: Array<() => void> | null;
}

/** What every connection of a broker shares with the others. */
export interface ConnectionShared {
  /** The bound on request bytes in memory across connections (`queued.max.request.bytes`). */
  readonly memory: RequestMemoryPool;
  /** Where Produce frames spanning socket reads are assembled (file stores; absent: new buffers). */
  readonly recycler?: BufferRecycler;
}

let nextConnectionId = 1;

/**
 * One client connection: frames in, responses out in request order. Requests are pipelined (a
 * client may send many before reading any answer, from its very first byte); once
 * `maxInFlightRequestsPerConnection` are waiting, we stop reading the socket until some are
 * answered. A frame we cannot parse, an unknown API key or an unsupported version closes this
 * connection only, with a log line; every other connection is unaffected.
 */
export class Connection implements ConnectionInfo, MemoryWaiter {
  readonly id = nextConnectionId++;
  readonly remoteAddress: string;
  readonly remotePort: number;
  principal: string;
  readonly sasl: SaslHooks | null;
  private readonly saslSession: SaslSession | null;
  /** Set when a response must be the last (failed authentication): nothing more is read. */
  private closingAfterFlush = false;
  private readonly decoder: FrameDecoder;
  private readonly slots: Slot[] = [];
  /** The socket is paused while either holds: too many requests in flight, or no memory for the frame being read. */
  private pausedForInFlight = false;
  private pausedForMemory = false;
  private socketPaused = false;
  /** Bytes reserved in the pool for the frame being received (0 when none). */
  private partialFrameReservation = 0;
  private closed = false;
  private closeReason: ConnectionCloseReason = 'client-closed';
  private closeDetail: string | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly broker: BrokerContext,
    private readonly shared: ConnectionShared,
    readonly listener: ListenerEndpoint,
    transportPrincipal: string,
    onClose: (c: Connection) => void,
  ) {
    this.principal = transportPrincipal;
    this.remoteAddress = socket.remoteAddress ?? 'unknown';
    this.remotePort = socket.remotePort ?? 0;
    this.saslSession = isSasl(listener.securityProtocol)
      ? new SaslSession({
          mechanisms: broker.config.saslEnabledMechanisms,
          credentials: () => broker.credentials.current(),
          maxReauthMs: broker.config.connectionsMaxReauthMs,
          nonce: () => randomBytes(18).toString('base64url'),
        })
      : null;
    this.sasl = this.saslSession === null ? null : { handshake: (m, v) => this.saslHandshake(m, v), authenticate: (t, v) => this.saslAuthenticate(t, v) };
    // Before authentication a peer may not make us hold more than Kafka's sasl.server.max.receive.size.
    this.decoder = new FrameDecoder(this.saslSession === null ? broker.config.maxRequestBytes : Math.min(SASL_MAX_RECEIVE_BYTES, broker.config.maxRequestBytes), (size, first) => this.allocateFrame(size, first));
    socket.setNoDelay(true);
    // Plain TCP reads go where the decoder says (a large request straight into its frame); TLS
    // decrypts into buffers of its own, which the decoder takes as they come.
    const direct = !isTls(listener.securityProtocol) && readIntoChosenBuffers(socket, () => this.decoder.nextReadBuffer(), (nread, buf) => this.takeFrames(() => this.decoder.onRead(nread, buf)));
    if (!direct) socket.on('data', (chunk: Buffer) => this.takeFrames(() => this.decoder.push(chunk)));
    socket.on('error', (err) => {
      if (!this.closed) {
        this.closeReason = 'socket-error';
        this.closeDetail = err.message;
      }
      broker.log.debug('connection error', { connection: this.id, error: err.message });
    });
    if (broker.config.connectionsMaxIdleMs > 0) {
      // Kafka's connections.max.idle.ms: no bytes either way for that long. A request still being
      // answered (a long-poll Fetch) keeps the connection, as its answer will come.
      socket.setTimeout(broker.config.connectionsMaxIdleMs, () => {
        if (this.slots.length > 0) return;
        broker.log.info('closing idle connection', { connection: this.id, remote: this.remote, idleMs: broker.config.connectionsMaxIdleMs });
        this.destroy('idle');
      });
    }
    socket.on('close', () => {
      this.closed = true;
      this.releaseMemory();
      // Responses never written: their views go (one still being handled keeps its holds).
      for (const slot of this.slots) if (slot.done && slot.releases !== null) releaseAll(slot.releases);
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
    broker.log.debug('connection opened', { connection: this.id, remote: this.remote, listener: listener.name, principal: this.principal });
    publishBrokerEvent(BROKER_EVENTS.connectionOpened, { nodeId: broker.config.nodeId, port: broker.config.port, connectionId: this.id, remote: this.remote, listener: listener.name, principal: this.principal });
  }

  /**
   * A frame spanning socket reads: a Produce request of an authenticated peer is assembled in a
   * recycled buffer, released when its response is built (by then the log has written its batches
   * and the tail cache took its own hold on what it keeps). Every other frame gets a new buffer,
   * since handlers keep views of their requests' bytes (group metadata, SASL tokens).
   */
  private allocateFrame(size: number, first: Buffer): Buffer {
    const recycler = this.shared.recycler;
    const produce = first.length >= 2 && first.readInt16BE(0) === PRODUCE_KEY;
    const authenticated = this.saslSession === null || this.saslSession.state === 'authenticated';
    return (recycler !== undefined && produce && authenticated ? recycler.acquire(size) : null) ?? Buffer.allocUnsafe(size);
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

  private takeFrames(read: () => Buffer[]): void {
    let frames: Buffer[];
    try {
      frames = read();
    } catch (err) {
      this.reject(`malformed frame: ${(err as Error).message}`);
      return;
    }
    // The first frame completed is the one the reservation (if any) was made for.
    let reservation = frames.length > 0 ? this.partialFrameReservation : 0;
    if (frames.length > 0) this.partialFrameReservation = 0;
    for (const frame of frames) {
      if (this.closed || this.closingAfterFlush) {
        this.shared.recycler?.release(frame);
        continue;
      }
      if (!this.onFrame(frame, reservation)) {
        this.shared.memory.release(reservation);
        this.shared.recycler?.release(frame);
      }
      reservation = 0;
    }
    this.shared.memory.release(reservation);
    if (!this.closed) this.reserveForPartialFrame();
  }

  /**
   * A frame spans more than one read: reserve its declared size before reading more of it, or
   * stop reading until the pool has room (queued.max.request.bytes). Only the chunk already read is
   * held meanwhile.
   */
  private reserveForPartialFrame(): void {
    const size = this.decoder.partialFrameBytes;
    if (size < 0 || this.partialFrameReservation > 0 || this.pausedForMemory) return;
    if (this.shared.memory.tryReserve(size)) {
      this.partialFrameReservation = size;
      this.decoder.allocatePartialFrame();
      return;
    }
    this.broker.log.debug('request memory full: pausing connection', { connection: this.id, frameBytes: size, usedBytes: this.shared.memory.usedBytes });
    this.pausedForMemory = true;
    this.shared.memory.wait(this);
    this.updatePause();
  }

  /** Called by the pool when memory was freed. */
  retryReserve(): boolean {
    if (this.closed) return true;
    const size = this.decoder.partialFrameBytes;
    if (size >= 0 && !this.shared.memory.reserveForWaiter(size)) return false;
    this.partialFrameReservation = Math.max(size, 0);
    this.decoder.allocatePartialFrame();
    this.pausedForMemory = false;
    this.updatePause();
    return true;
  }

  private releaseMemory(): void {
    let held = this.partialFrameReservation;
    this.partialFrameReservation = 0;
    for (const slot of this.slots) {
      held += slot.reservedBytes;
      slot.reservedBytes = 0;
    }
    if (this.pausedForMemory) this.shared.memory.cancel(this);
    this.shared.memory.release(held);
  }

  private updatePause(): void {
    const pause = this.pausedForInFlight || this.pausedForMemory;
    if (pause === this.socketPaused || this.closed) return;
    this.socketPaused = pause;
    if (pause) this.socket.pause();
    else this.socket.resume();
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

  /** Returns true when the frame became a request being handled (which then owns `reservedBytes`). */
  private onFrame(frame: Buffer, reservedBytes: number): boolean {
    if (this.saslSession?.state === 'awaiting-raw-token') {
      this.onRawSaslToken(frame);
      return false;
    }
    const r = new Reader(frame);
    let header: RequestHeader;
    try {
      header = decodeRequestHeader(r);
    } catch (err) {
      this.reject(`unreadable request header: ${(err as Error).message}`);
      return false;
    }
    if (this.saslSession !== null) {
      const admission = this.saslSession.admit(header.apiKey, this.broker.clock.nowMs());
      if (admission !== 'serve') {
        const expired = admission === 'close-session-expired';
        this.broker.log.info('closing connection', {
          connection: this.id,
          remote: this.remote,
          reason: expired ? 'SASL session expired without re-authentication (connections.max.reauth.ms)' : `api ${header.apiKey} before SASL authentication`,
          apiKey: header.apiKey,
        });
        this.destroy(expired ? 'session-expired' : 'not-authenticated');
        return false;
      }
    }
    const handler = this.broker.handlers.get(header.apiKey);
    if (handler === undefined) {
      this.reject(`unknown api key ${header.apiKey}`, header);
      return false;
    }
    if (header.apiVersion < handler.minVersion || header.apiVersion > handler.maxVersion) {
      if (header.apiKey === API_VERSIONS_KEY) {
        this.answerUnsupportedApiVersions(header, handler);
        return false;
      }
      this.reject(`unsupported version ${header.apiVersion} of api ${header.apiKey}`, header);
      return false;
    }
    const spec = (API_SPECS as Record<number, ApiSpec>)[header.apiKey]!;
    let request: unknown;
    try {
      request = spec.decodeRequest(r, header.apiVersion);
    } catch (err) {
      if (!(err instanceof ProtocolError) && !(err instanceof RangeError)) throw err;
      this.reject(`malformed ${spec.name} v${header.apiVersion} request: ${(err as Error).message}`, header);
      return false;
    }
    this.dispatch(header, handler, spec, request, frame, reservedBytes);
    return true;
  }

  private dispatch(header: RequestHeader, handler: AnyApiHandler, spec: ApiSpec, request: unknown, frame: Buffer, reservedBytes: number): void {
    const requestBytes = frame.length;
    const slot: Slot = { done: false, parts: null, reservedBytes, releases: null };
    this.slots.push(slot);
    const ctx: RequestContext = {
      broker: this.broker,
      connection: this,
      header,
      version: header.apiVersion,
      holdUntilSent: (release) => (slot.releases ??= []).push(release),
    };
    // Request metrics cost nothing unless someone listens (the metrics endpoint in this process).
    const startedAt = brokerEventWanted(BROKER_EVENTS.requestCompleted) ? performance.now() : -1;
    const finish = (response: unknown): void => {
      if (response !== NO_RESPONSE) slot.parts = this.encodeResponse(header, spec, response);
      slot.done = true;
      // The request's bytes are not read after its response is built.
      this.shared.recycler?.release(frame);
      if (startedAt >= 0) this.publishCompleted(header, spec, requestBytes, slot.parts, response, startedAt);
      this.shared.memory.release(slot.reservedBytes);
      slot.reservedBytes = 0;
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
      // The fault-injection seam exists only in test brokers; otherwise this is the one check it costs.
      const faults = this.broker.faults;
      const result: unknown = faults === null ? handler.handle(ctx, request) : faults.intercept(ctx, handler, request);
      if (result instanceof Promise) result.then(finish, fail);
      else finish(result);
    } catch (err) {
      fail(err);
    }
    if (!this.pausedForInFlight && this.slots.length >= this.broker.config.maxInFlightRequestsPerConnection) {
      this.pausedForInFlight = true;
      this.updatePause();
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
      if (slot.parts === null || slot.parts.length === 0) {
        if (slot.releases !== null) releaseAll(slot.releases);
        continue;
      }
      if (!wrote) this.socket.cork();
      wrote = true;
      const parts = slot.parts;
      const last = parts.length - 1;
      for (let i = 0; i < last; i++) this.socket.write(parts[i]!);
      // Once the socket has taken the bytes (or failed to), the views they came from may go.
      const releases = slot.releases;
      if (releases === null) this.socket.write(parts[last]!);
      else this.socket.write(parts[last]!, () => releaseAll(releases));
    }
    if (wrote) this.socket.uncork();
    if (this.closingAfterFlush && this.slots.length === 0) {
      this.closed = true;
      this.socket.end();
      return;
    }
    if (this.pausedForInFlight && this.slots.length < this.broker.config.maxInFlightRequestsPerConnection) {
      this.pausedForInFlight = false;
      this.updatePause();
    }
  }

  private saslHandshake(mechanism: string, version: number): HandshakeResult {
    const result = this.saslSession!.handshake(mechanism, version);
    if (result.close) {
      this.broker.log.info('SASL handshake refused', { connection: this.id, remote: this.remote, mechanism, errorCode: result.errorCode });
      this.closeAfterResponse('authentication-failed', `SASL handshake refused (${mechanism})`);
    }
    return result;
  }

  private saslAuthenticate(token: Buffer, version: number): AuthenticateResult {
    const result = this.saslSession!.authenticate(token, this.broker.clock.nowMs(), version);
    if (result.authenticated) {
      this.principal = this.saslSession!.principal!;
      this.decoder.setMaxFrameBytes(this.broker.config.maxRequestBytes);
      this.broker.log.debug('SASL authenticated', { connection: this.id, remote: this.remote, principal: this.principal, sessionLifetimeMs: result.sessionLifetimeMs });
      publishBrokerEvent(BROKER_EVENTS.authenticated, { nodeId: this.broker.config.nodeId, port: this.broker.config.port, connectionId: this.id, remote: this.remote, listener: this.listener.name, principal: this.principal });
    } else if (result.close) {
      this.broker.log.info('SASL authentication failed', { connection: this.id, remote: this.remote, listener: this.listener.name, reason: result.detail });
      publishBrokerEvent(BROKER_EVENTS.authenticationFailed, { nodeId: this.broker.config.nodeId, port: this.broker.config.port, connectionId: this.id, remote: this.remote, listener: this.listener.name, detail: result.detail ?? '' });
      this.closeAfterResponse('authentication-failed', result.detail);
    }
    return result;
  }

  /** After a v0 SaslHandshake, SASL tokens travel as bare size-prefixed frames (no Kafka header). */
  private onRawSaslToken(token: Buffer): void {
    const result = this.saslAuthenticate(token, 0);
    if (result.close) {
      this.destroy('authentication-failed', result.detail);
      return;
    }
    const w = new Writer({ sizePrefix: true, initialBytes: 16 + result.authBytes.length });
    w.raw(result.authBytes);
    this.slots.push({ done: true, parts: w.finish(), reservedBytes: 0, releases: null });
    this.flush();
  }

  /** The response being built is the last: answer it, then close (Kafka closes after a failed authentication). */
  private closeAfterResponse(reason: ConnectionCloseReason, detail?: string): void {
    this.closingAfterFlush = true;
    this.closeReason = reason;
    this.closeDetail = detail;
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
    this.slots.push({ done: true, parts: w.finish(), reservedBytes: 0, releases: null });
    this.flush();
  }
}

/** Runs each release once (a write callback and a close may both get to them). */
function releaseAll(releases: Array<() => void>): void {
  const pending = releases.splice(0);
  for (const release of pending) release();
}
