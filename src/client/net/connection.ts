import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { FrameDecoder } from '../../protocol/frame-decoder.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { ApiVersionsResponse } from '../../protocol/messages/18-api-versions.js';
import { KafkaError, networkError } from '../errors.js';
import { CLIENT_SOFTWARE_NAME, CLIENT_SOFTWARE_VERSION, type ResolvedClientOptions } from '../options.js';
import { InFlightRequests, type InFlightEntry } from './in-flight.js';
import { decodeResponseFrame, encodeRequestFrame, peekCorrelationId, type BodyEncoder } from './frames.js';
import { saslAuthenticate } from './sasl.js';
import { API_VERSIONS_FIRST_VERSION, apiName, pickVersion, type VersionRange } from './versions.js';

interface Pending extends InFlightEntry {
  apiKey: number;
  version: number;
  resolve(response: unknown): void;
  reject(err: Error): void;
}

export interface SendOptions {
  timeoutMs?: number;
  /** false for Produce with acks=0: the broker sends no answer, the promise resolves once written. */
  expectResponse?: boolean;
  encoder?: BodyEncoder;
}

export type ConnectionState = 'idle' | 'connecting' | 'ready' | 'closed';

/**
 * One TCP (or TLS) connection to one broker: ApiVersions handshake, then pipelined requests whose
 * answers are matched in order by correlation id. A request that outlives its timeout fails with
 * REQUEST_TIMED_OUT and takes the connection down with it, as Kafka's NetworkClient does (answers
 * come in order, so nothing behind it can be read either); every other waiting request then fails
 * with a retriable NETWORK_EXCEPTION.
 */
export class BrokerConnection {
  state: ConnectionState = 'idle';
  /** Versions the broker advertised, by API key (known once ready). */
  readonly brokerVersions = new Map<number, VersionRange>();
  private socket: Socket | null = null;
  private readonly decoder: FrameDecoder;
  private readonly inFlight = new InFlightRequests<Pending>(1);
  private connecting: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private timerAtMs = Infinity;
  private corked = false;
  private closeReason = '';
  /** Called once when the connection closes, for whatever reason. */
  onClose: (reason: string, failedRequests: number) => void = () => {};

  constructor(
    public nodeId: number,
    readonly host: string,
    readonly port: number,
    readonly lane: string,
    private readonly options: ResolvedClientOptions,
  ) {
    this.decoder = new FrameDecoder(options.maxResponseBytes);
  }

  /** `nodeId` when known, else `host:port` (bootstrap connections). */
  get label(): number | string {
    return this.nodeId >= 0 ? this.nodeId : `${this.host}:${this.port}`;
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Connects and negotiates versions; resolves when ready. Idempotent while connecting. */
  connect(): Promise<void> {
    if (this.connecting !== null) return this.connecting;
    if (this.state === 'closed') return Promise.reject(networkError(this.label, `connection closed: ${this.closeReason}`));
    this.state = 'connecting';
    this.connecting = this.open();
    return this.connecting;
  }

  private async open(): Promise<void> {
    const { connectionTimeoutMs } = this.options;
    const timeout = new Promise<never>((_, reject) => {
      const t = setTimeout(() => reject(new KafkaError(ErrorCode.REQUEST_TIMED_OUT, { broker: this.label, api: 'connect' }, `connection to ${this.host}:${this.port} not ready within ${connectionTimeoutMs} ms`)), connectionTimeoutMs);
      t.unref();
      this.connectTimer = t;
    });
    try {
      await Promise.race([this.openSocket().then(() => this.negotiateVersions()).then(() => this.authenticate()), timeout]);
      this.state = 'ready';
    } catch (err) {
      this.destroy(`connect failed: ${(err as Error).message}`);
      throw err instanceof KafkaError ? err : networkError(this.label, (err as Error).message, err, 'connect');
    } finally {
      clearTimeout(this.connectTimer);
    }
  }

  private connectTimer: NodeJS.Timeout | undefined;
  /** While re-authenticating (KIP-368), other requests wait: the broker serves only SASL APIs meanwhile. */
  private reauthenticating: Promise<void> | null = null;
  private reauthTimer: NodeJS.Timeout | null = null;

  private async authenticate(): Promise<void> {
    const sasl = this.options.sasl;
    if (sasl === null) return;
    const lifetimeMs = await saslAuthenticate({ send: (k, v, b) => this.sendNow(k, v, b, {}), versionFor: (k, l) => this.versionFor(k, l), label: this.label }, sasl);
    if (lifetimeMs <= 0) return;
    // Like the Java client: re-authenticate at 85-95% of the lifetime.
    const delayMs = lifetimeMs * (0.85 + 0.1 * this.options.random());
    this.reauthTimer = setTimeout(() => {
      this.reauthTimer = null;
      this.reauthenticating = this.authenticate().then(
        () => {
          this.reauthenticating = null;
        },
        (err: unknown) => {
          this.reauthenticating = null;
          this.destroy(`re-authentication failed: ${(err as Error).message}`);
        },
      );
    }, delayMs);
    this.reauthTimer.unref();
  }

  private openSocket(): Promise<void> {
    return new Promise((resolve, reject) => {
      const ssl = this.options.ssl;
      // Plain TCP reads go where the decoder says (a large response straight into its own buffer);
      // TLS decrypts into buffers of its own, which the decoder takes as they come.
      const socket = ssl === null
        ? netConnect({ host: this.host, port: this.port, onread: { buffer: () => this.decoder.nextReadBuffer(), callback: (nread: number, buf: Uint8Array) => this.onRead(nread, buf as Buffer) } })
        : tlsConnect({ host: this.host, port: this.port, servername: this.host, ...ssl });
      this.socket = socket;
      socket.setNoDelay(true);
      const onError = (err: Error) => reject(err);
      const onClose = () => reject(new Error(this.closeReason || 'closed while connecting'));
      socket.once('error', onError);
      socket.once('close', onClose);
      socket.once(ssl === null ? 'connect' : 'secureConnect', () => {
        socket.off('error', onError);
        socket.off('close', onClose);
        socket.on('error', (err) => this.destroy(`socket error: ${err.message}`));
        resolve();
      });
      if (ssl !== null) socket.on('data', (chunk: Buffer) => this.onData(chunk));
      socket.on('close', () => this.destroy(this.closeReason || 'closed by the broker'));
    });
  }

  /**
   * ApiVersions v3 first (KIP-511, announcing the client); a broker that does not know v3 answers
   * UNSUPPORTED_VERSION with its own range for key 18, and we retry at its maximum (v0 if it gave
   * none), as librdkafka and the Java client do.
   */
  private async negotiateVersions(): Promise<void> {
    let version = API_VERSIONS_FIRST_VERSION;
    for (;;) {
      const body = version >= 3 ? { clientSoftwareName: CLIENT_SOFTWARE_NAME, clientSoftwareVersion: CLIENT_SOFTWARE_VERSION } : {};
      const res = (await this.send(18, version, body, { timeoutMs: this.options.connectionTimeoutMs })) as ApiVersionsResponse;
      if (res.errorCode === ErrorCode.UNSUPPORTED_VERSION && version > 0) {
        const theirs = res.apiKeys.find((k) => k.apiKey === 18);
        version = theirs === undefined ? 0 : Math.max(0, Math.min(version - 1, theirs.maxVersion));
        continue;
      }
      if (res.errorCode !== ErrorCode.NONE) throw new KafkaError(res.errorCode, { api: 'ApiVersions', broker: this.label });
      for (const k of res.apiKeys) this.brokerVersions.set(k.apiKey, { min: k.minVersion, max: k.maxVersion });
      return;
    }
  }

  /** The version to use for `apiKey` on this connection, or -1 if none is shared. */
  versionFor(apiKey: number, limits?: { minVersion?: number; maxVersion?: number }): number {
    const cap = this.options.maxApiVersions[apiKey];
    if (cap === undefined) return pickVersion(apiKey, this.brokerVersions, limits);
    return pickVersion(apiKey, this.brokerVersions, { minVersion: limits?.minVersion, maxVersion: Math.min(cap, limits?.maxVersion ?? cap) });
  }

  /** Sends one request at `version` and resolves with the decoded response body. */
  send(apiKey: number, version: number, body: unknown, opts: SendOptions = {}): Promise<unknown> {
    if (this.reauthenticating !== null) return this.reauthenticating.then(() => this.send(apiKey, version, body, opts));
    return this.sendNow(apiKey, version, body, opts);
  }

  private sendNow(apiKey: number, version: number, body: unknown, opts: SendOptions): Promise<unknown> {
    const socket = this.socket;
    if (socket === null || this.state === 'closed' || this.state === 'idle') {
      return Promise.reject(networkError(this.label, `not connected (${this.closeReason || this.state})`, undefined, apiName(apiKey)));
    }
    const correlationId = this.inFlight.nextCorrelationId();
    let parts: Buffer[];
    try {
      parts = encodeRequestFrame(apiKey, version, correlationId, this.options.clientId, body, opts.encoder);
    } catch (err) {
      return Promise.reject(err);
    }
    if (opts.expectResponse === false) {
      // No answer will come (acks=0): done once the bytes are handed to the kernel.
      return new Promise((resolve, reject) => this.write(socket, parts, (err) => (err ? reject(networkError(this.label, err.message, err, apiName(apiKey))) : resolve(undefined))));
    }
    this.write(socket, parts);
    return new Promise((resolve, reject) => {
      const deadlineMs = this.options.clock.nowMs() + (opts.timeoutMs ?? this.options.requestTimeoutMs);
      this.inFlight.push({ correlationId, deadlineMs, apiKey, version, resolve, reject });
      if (deadlineMs < this.timerAtMs) this.armTimer(deadlineMs);
    });
  }

  /** Writes within one tick are corked together: many small pipelined requests, few syscalls. */
  private write(socket: Socket, parts: Buffer[], onWritten?: (err?: Error | null) => void): void {
    if (!this.corked) {
      this.corked = true;
      socket.cork();
      process.nextTick(() => {
        this.corked = false;
        socket.uncork();
      });
    }
    const last = parts.length - 1;
    for (let i = 0; i < last; i++) socket.write(parts[i]!);
    socket.write(parts[last]!, onWritten);
  }

  private onData(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      this.destroy(`malformed response stream: ${(err as Error).message}`);
      return;
    }
    this.onFrames(frames);
  }

  /** Always true: keep reading (false would pause the socket). */
  private onRead(nread: number, buf: Buffer): boolean {
    let frames: Buffer[];
    try {
      frames = this.decoder.onRead(nread, buf);
      // No memory budget to wait for on this side: the rest of a large response goes in place.
      this.decoder.allocatePartialFrame();
    } catch (err) {
      this.destroy(`malformed response stream: ${(err as Error).message}`);
      return true;
    }
    this.onFrames(frames);
    return true;
  }

  private onFrames(frames: Buffer[]): void {
    for (const frame of frames) {
      if (this.state === 'closed') return;
      this.onFrame(frame);
    }
  }

  private onFrame(frame: Buffer): void {
    let entry: Pending;
    try {
      entry = this.inFlight.take(peekCorrelationId(frame));
    } catch (err) {
      this.destroy((err as Error).message);
      return;
    }
    let response: unknown;
    try {
      response = decodeResponseFrame(frame, entry.apiKey, entry.version);
    } catch (err) {
      const api = apiName(entry.apiKey);
      entry.reject(new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, { api, broker: this.label, cause: err, detail: `malformed ${api} v${entry.version} response: ${(err as Error).message}` }));
      return;
    }
    entry.resolve(response);
  }

  private armTimer(atMs: number): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerAtMs = atMs;
    this.timer = setTimeout(() => this.onTimer(), Math.max(0, atMs - this.options.clock.nowMs()));
    this.timer.unref();
  }

  private onTimer(): void {
    this.timer = null;
    this.timerAtMs = Infinity;
    const nowMs = this.options.clock.nowMs();
    const expired = this.inFlight.firstExpired(nowMs);
    if (expired !== undefined) {
      const api = apiName(expired.apiKey);
      const err = new KafkaError(ErrorCode.REQUEST_TIMED_OUT, { api, broker: this.label }, `REQUEST_TIMED_OUT (7): no ${api} response from broker ${this.label} in time`);
      this.destroy(`${api} request timed out`, expired, err);
      return;
    }
    const next = this.inFlight.earliestDeadlineMs();
    if (next !== Infinity) this.armTimer(next);
  }

  /** Closes the connection; waiting requests fail with a retriable NETWORK_EXCEPTION. */
  close(reason = 'closed by the client'): void {
    // Bytes already written (an acks=0 Produce) still go out: end() flushes, then closes.
    const socket = this.socket;
    if (socket !== null && this.state === 'ready') {
      if (this.corked) {
        this.corked = false;
        socket.uncork();
      }
      socket.end();
      this.socket = null;
      this.destroy(reason);
      setTimeout(() => socket.destroy(), this.options.connectionTimeoutMs).unref();
      return;
    }
    this.destroy(reason);
  }

  private destroy(reason: string, timedOut?: Pending, timeoutError?: Error): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.closeReason = reason;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.reauthTimer !== null) clearTimeout(this.reauthTimer);
    this.socket?.destroy();
    const failed = this.inFlight.drain();
    for (const p of failed) {
      if (p === timedOut && timeoutError !== undefined) p.reject(timeoutError);
      else p.reject(networkError(this.label, reason, undefined, apiName(p.apiKey)));
    }
    this.onClose(reason, failed.length);
  }
}
