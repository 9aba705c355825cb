import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from '../handler.js';

/**
 * SaslHandshake v0-1: picks the mechanism. v1 is followed by SaslAuthenticate requests, v0 by bare
 * SASL tokens. On a listener without SASL, Kafka answers ILLEGAL_SASL_STATE. An unsupported
 * mechanism gets UNSUPPORTED_SASL_MECHANISM with the enabled list, then the connection closes.
 */
export const saslHandshakeHandler = defineHandler({
  apiKey: 17,
  minVersion: 0,
  maxVersion: 1,
  handle(rctx, request) {
    const sasl = rctx.connection.sasl;
    if (sasl === null) return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] };
    const result = sasl.handshake(request.mechanism, rctx.version);
    return { errorCode: result.errorCode, mechanisms: result.mechanisms };
  },
  errorResponse(_request, errorCode) {
    return { errorCode, mechanisms: [] };
  },
});
