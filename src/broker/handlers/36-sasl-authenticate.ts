import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from '../handler.js';

/**
 * SaslAuthenticate v0-2: one step of the exchange chosen by SaslHandshake. A failure answers
 * SASL_AUTHENTICATION_FAILED with Kafka's message and closes the connection; success reports the
 * session lifetime (v1+, KIP-368 `connections.max.reauth.ms`).
 */
export const saslAuthenticateHandler = defineHandler({
  apiKey: 36,
  minVersion: 0,
  maxVersion: 2,
  handle(rctx, request) {
    const sasl = rctx.connection.sasl;
    if (sasl === null) return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, errorMessage: 'this listener does not use SASL', authBytes: Buffer.alloc(0), sessionLifetimeMs: 0 };
    const r = sasl.authenticate(request.authBytes, rctx.version);
    return { errorCode: r.errorCode, errorMessage: r.errorMessage, authBytes: r.authBytes, sessionLifetimeMs: r.sessionLifetimeMs };
  },
  errorResponse(_request, errorCode) {
    return { errorCode, errorMessage: null, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0 };
  },
});
