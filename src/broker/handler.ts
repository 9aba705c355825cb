import type { ApiKey, ApiTypes } from '../protocol/messages/index.js';
import type { RequestHeader } from '../protocol/headers.js';
import type { BrokerContext } from './context.js';
import type { ListenerEndpoint } from './security/listeners.js';
import type { AuthenticateResult, HandshakeResult } from './security/sasl-session.js';

/** A SASL listener's connection: the SASL handlers drive its authentication through this. */
export interface SaslHooks {
  handshake(mechanism: string, version: number): HandshakeResult;
  authenticate(token: Buffer, version: number): AuthenticateResult;
}

/** Returned by a handler when the request gets no response at all (Produce with acks=0). */
export const NO_RESPONSE: unique symbol = Symbol('no-response');

export interface ConnectionInfo {
  /** Unique per broker process. */
  readonly id: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** The listener the client connected to (Metadata advertises this one, as Kafka does). */
  readonly listener: ListenerEndpoint;
  /** Kafka principal, e.g. `User:alice` (SASL), `User:CN=alice,O=Acme` (client certificate) or `User:ANONYMOUS`. */
  readonly principal: string;
  /** Null on PLAINTEXT and SSL listeners. */
  readonly sasl: SaslHooks | null;
}

export interface RequestContext {
  readonly broker: BrokerContext;
  readonly connection: ConnectionInfo;
  readonly header: RequestHeader;
  /** The request's API version (already checked against the handler's range). */
  readonly version: number;
  /**
   * Runs `release` once the response has been handed to the socket (or will never be): for holds
   * on recycled buffers the response is made of (a fetch's views of the tail cache). Absent where
   * requests are handled without a connection; the holds are then never released, which only
   * means those buffers are not recycled.
   */
  readonly holdUntilSent?: (release: () => void) => void;
}

export type HandlerResult<K extends ApiKey> = ApiTypes[K]['responseInit'] | typeof NO_RESPONSE;

/**
 * One API of the broker. Handlers register themselves in handlers/index.ts; ApiVersions is
 * derived from that registry, so what we advertise is exactly what we serve.
 */
export interface ApiHandler<K extends ApiKey = ApiKey> {
  readonly apiKey: K;
  readonly minVersion: number;
  readonly maxVersion: number;
  handle(ctx: RequestContext, request: ApiTypes[K]['request']): HandlerResult<K> | Promise<HandlerResult<K>>;
  /**
   * The response that reports `errorCode` for the whole request, used when `handle` throws
   * unexpectedly (UNKNOWN_SERVER_ERROR): the client gets an answer and the connection lives on.
   */
  errorResponse(request: ApiTypes[K]['request'], errorCode: number, version: number): ApiTypes[K]['responseInit'];
}

export function defineHandler<K extends ApiKey>(handler: ApiHandler<K>): ApiHandler<K> {
  return handler;
}

/** A handler of any API, as the registry holds them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyApiHandler = ApiHandler<any>;
