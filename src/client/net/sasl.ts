import { randomBytes } from 'node:crypto';
import { ErrorCode } from '../../protocol/errors.js';
import type { SaslAuthenticateResponse } from '../../protocol/messages/36-sasl-authenticate.js';
import type { SaslHandshakeResponse } from '../../protocol/messages/17-sasl-handshake.js';
import { ScramClientExchange, ScramError } from '../../protocol/sasl/scram.js';
import { KafkaError } from '../errors.js';
import type { SaslOptions } from '../options.js';

const SASL_HANDSHAKE = 17;
const SASL_AUTHENTICATE = 36;

/** What SASL needs from a connection: a send and the negotiated versions. */
export interface SaslTransport {
  send(apiKey: number, version: number, body: unknown): Promise<unknown>;
  versionFor(apiKey: number, limits?: { minVersion?: number; maxVersion?: number }): number;
  readonly label: number | string;
}

/**
 * Authenticates a fresh connection (or re-authenticates one, KIP-368): SaslHandshake v1, then
 * SaslAuthenticate steps for PLAIN or SCRAM-SHA-256/512. Returns the session lifetime the broker
 * granted (0: no expiry). The broker closes the connection after a failure; we throw
 * SASL_AUTHENTICATION_FAILED with the broker's message.
 */
export async function saslAuthenticate(t: SaslTransport, sasl: SaslOptions): Promise<number> {
  const fail = (code: number, message: string): KafkaError => new KafkaError(code, { api: 'SaslAuthenticate', broker: t.label }, message);
  const handshakeVersion = t.versionFor(SASL_HANDSHAKE, { minVersion: 1 });
  const authVersion = t.versionFor(SASL_AUTHENTICATE);
  if (handshakeVersion < 0 || authVersion < 0) throw fail(ErrorCode.UNSUPPORTED_SASL_MECHANISM, `broker ${t.label} does not support SaslHandshake v1 and SaslAuthenticate`);
  const hs = (await t.send(SASL_HANDSHAKE, handshakeVersion, { mechanism: sasl.mechanism })) as SaslHandshakeResponse;
  if (hs.errorCode !== ErrorCode.NONE) {
    throw fail(hs.errorCode, `broker ${t.label} refused SASL mechanism ${sasl.mechanism} (it offers ${hs.mechanisms.join(', ') || 'none'})`);
  }
  const step = async (authBytes: Buffer): Promise<SaslAuthenticateResponse> => {
    const res = (await t.send(SASL_AUTHENTICATE, authVersion, { authBytes })) as SaslAuthenticateResponse;
    if (res.errorCode !== ErrorCode.NONE) throw fail(res.errorCode, res.errorMessage ?? `SASL authentication as ${sasl.username} failed`);
    return res;
  };
  if (sasl.mechanism === 'PLAIN') {
    const res = await step(Buffer.from(`\u0000${sasl.username}\u0000${sasl.password}`, 'utf8'));
    return Number(res.sessionLifetimeMs);
  }
  const scram = new ScramClientExchange(sasl.mechanism, sasl.username, sasl.password, randomBytes(18).toString('base64url'));
  const first = await step(scram.first());
  let final: Buffer;
  try {
    final = scram.final(first.authBytes);
  } catch (err) {
    throw fail(ErrorCode.SASL_AUTHENTICATION_FAILED, `SCRAM with broker ${t.label}: ${(err as Error).message}`);
  }
  const last = await step(final);
  try {
    scram.verifyServerFinal(last.authBytes);
  } catch (err) {
    if (err instanceof ScramError) throw fail(ErrorCode.SASL_AUTHENTICATION_FAILED, `SCRAM with broker ${t.label}: ${err.message}`);
    throw err;
  }
  return Number(last.sessionLifetimeMs);
}
