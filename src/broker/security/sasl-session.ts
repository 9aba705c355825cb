import { ErrorCode } from '../../protocol/errors.js';
import { isScramMechanism, passwordMatches } from '../../protocol/sasl/scram.js';
import type { ScramCredentialTable } from './credentials.js';
import { ScramServerExchange } from './scram-server.js';

export const SASL_HANDSHAKE_KEY = 17;
export const SASL_AUTHENTICATE_KEY = 36;
const API_VERSIONS_KEY = 18;

/** Kafka's `sasl.server.max.receive.size`: the largest frame read before authentication. */
export const SASL_MAX_RECEIVE_BYTES = 524_288;

export const SUPPORTED_SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;

export interface SaslSessionOptions {
  /** `sasl.enabled.mechanisms`. */
  readonly mechanisms: readonly string[];
  /** The current credentials (the shell may re-read them between calls). */
  readonly credentials: () => ScramCredentialTable;
  /** `connections.max.reauth.ms` (KIP-368); 0 means sessions never expire. */
  readonly maxReauthMs: number;
  /** Server nonces for SCRAM (random in the shell, fixed in tests). */
  readonly nonce: () => string;
}

export type SaslState = 'awaiting-handshake' | 'awaiting-authenticate' | 'awaiting-raw-token' | 'authenticated';

export interface HandshakeResult {
  errorCode: number;
  mechanisms: string[];
  /** Close after answering (unsupported mechanism or a handshake out of order). */
  close: boolean;
}

export interface AuthenticateResult {
  errorCode: number;
  errorMessage: string | null;
  authBytes: Buffer;
  sessionLifetimeMs: number;
  /** Close after answering: a failed authentication ends the connection, as in Kafka (KIP-152). */
  close: boolean;
  /** Set once the exchange succeeded: the frame limit rises and other APIs are served. */
  authenticated: boolean;
  /** Why it failed, for the log (never sent to the client). */
  detail?: string;
}

/** What the connection does with a request, by API key, in the current state. */
export type Admission = 'serve' | 'close-not-authenticated' | 'close-session-expired';

/**
 * One connection's SASL state (Kafka's SaslServerAuthenticator): ApiVersions and SaslHandshake
 * first; after a v1 handshake only SaslAuthenticate, after a v0 handshake raw SASL tokens; once
 * authenticated, every API, until the session lifetime passes without the client
 * re-authenticating (KIP-368), which it does with a new handshake and authenticate exchange on the
 * same connection, as the same principal with the same mechanism.
 */
export class SaslSession {
  private current: SaslState = 'awaiting-handshake';
  private mechanism: string | null = null;
  private scram: ScramServerExchange | null = null;
  private user: string | null = null;
  private expiresAtMs: number | null = null;
  private reauthenticating = false;

  constructor(private readonly o: SaslSessionOptions) {}

  get state(): SaslState {
    return this.current;
  }

  /** `User:<name>` once authenticated. */
  get principal(): string | null {
    return this.user === null ? null : `User:${this.user}`;
  }

  /** Whether a request may be served now, and if not why the connection closes. */
  admit(apiKey: number, nowMs: number): Admission {
    if (this.current === 'authenticated' && !this.reauthenticating) {
      if (apiKey === SASL_HANDSHAKE_KEY || apiKey === SASL_AUTHENTICATE_KEY) return 'serve';
      return this.expiresAtMs !== null && nowMs >= this.expiresAtMs ? 'close-session-expired' : 'serve';
    }
    if (this.current === 'awaiting-handshake' || this.reauthenticating) {
      if (apiKey === API_VERSIONS_KEY || apiKey === SASL_HANDSHAKE_KEY) return 'serve';
      if (this.reauthenticating && apiKey === SASL_AUTHENTICATE_KEY) return 'serve';
      return 'close-not-authenticated';
    }
    return apiKey === SASL_AUTHENTICATE_KEY ? 'serve' : 'close-not-authenticated';
  }

  handshake(mechanism: string, version: number): HandshakeResult {
    const mechanisms = [...this.o.mechanisms];
    const again = this.current === 'authenticated';
    if (this.current !== 'awaiting-handshake' && !again) return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms, close: true };
    if (!this.o.mechanisms.includes(mechanism)) return { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms, close: true };
    // KIP-368: re-authentication keeps the mechanism (and needs SaslAuthenticate, so handshake v1).
    if (again && (mechanism !== this.mechanism || version < 1)) return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms, close: true };
    this.mechanism = mechanism;
    this.scram = isScramMechanism(mechanism) ? new ScramServerExchange(mechanism, (u) => this.o.credentials().get(u, mechanism), this.o.nonce) : null;
    if (again) this.reauthenticating = true;
    else this.current = version === 0 ? 'awaiting-raw-token' : 'awaiting-authenticate';
    return { errorCode: ErrorCode.NONE, mechanisms, close: false };
  }

  /** One SaslAuthenticate (or, after a v0 handshake, one raw token). */
  authenticate(token: Buffer, nowMs: number, version: number): AuthenticateResult {
    const inExchange = this.current === 'awaiting-authenticate' || this.current === 'awaiting-raw-token' || this.reauthenticating;
    if (!inExchange || this.mechanism === null) return this.failure(ErrorCode.ILLEGAL_SASL_STATE, 'SaslAuthenticate before SaslHandshake', 'out of order');
    if (this.mechanism === 'PLAIN') return this.plain(token, nowMs, version);
    const step = this.scram!.step(token);
    if (step.kind === 'challenge') return { errorCode: ErrorCode.NONE, errorMessage: null, authBytes: step.message, sessionLifetimeMs: 0, close: false, authenticated: false };
    if (step.kind === 'failed') {
      return this.failure(ErrorCode.SASL_AUTHENTICATION_FAILED, `Authentication failed during authentication due to invalid credentials with SASL mechanism ${this.mechanism}`, step.detail);
    }
    return this.succeed(step.user, step.message, nowMs, version);
  }

  private plain(token: Buffer, nowMs: number, version: number): AuthenticateResult {
    // RFC 4616: [authzid] NUL authcid NUL passwd. Kafka requires authzid to be empty or the user.
    const parts = token.toString('utf8').split('\u0000');
    const invalid = 'Authentication failed: Invalid username or password';
    if (parts.length !== 3 || parts[1] === '') return this.failure(ErrorCode.SASL_AUTHENTICATION_FAILED, invalid, 'malformed PLAIN token');
    const [authzid, user, password] = parts as [string, string, string];
    if (authzid !== '' && authzid !== user) return this.failure(ErrorCode.SASL_AUTHENTICATION_FAILED, 'Authentication failed: Client requested an authorization id that is different from username', 'authorization id differs');
    const found = this.o.credentials().any(user);
    if (found === undefined) return this.failure(ErrorCode.SASL_AUTHENTICATION_FAILED, invalid, `unknown user ${user}`);
    if (!passwordMatches(found.mechanism, found.credential, password)) return this.failure(ErrorCode.SASL_AUTHENTICATION_FAILED, invalid, `wrong password for user ${user}`);
    return this.succeed(user, Buffer.alloc(0), nowMs, version);
  }

  private succeed(user: string, authBytes: Buffer, nowMs: number, version: number): AuthenticateResult {
    if (this.reauthenticating && user !== this.user) {
      return this.failure(ErrorCode.SASL_AUTHENTICATION_FAILED, 'Cannot change principals during re-authentication', `re-authenticated as ${user}, was ${this.user}`);
    }
    this.user = user;
    this.current = 'authenticated';
    this.reauthenticating = false;
    const lifetime = this.o.maxReauthMs > 0 ? this.o.maxReauthMs : 0;
    this.expiresAtMs = lifetime > 0 ? nowMs + lifetime : null;
    // v0 has no lifetime field: such a client cannot re-authenticate and is closed at expiry.
    return { errorCode: ErrorCode.NONE, errorMessage: null, authBytes, sessionLifetimeMs: version >= 1 ? lifetime : 0, close: false, authenticated: true };
  }

  private failure(errorCode: number, errorMessage: string, detail: string): AuthenticateResult {
    return { errorCode, errorMessage, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0, close: true, authenticated: false, detail };
  }
}
