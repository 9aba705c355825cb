import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from '../handler.js';

/**
 * ApiVersions (KIP-35, KIP-511). Answers from the handler registry, so the advertised ranges are
 * exactly what the broker serves. A v3+ request whose client software name or version is not of
 * the allowed form gets INVALID_REQUEST, as Kafka does (librdkafka then retries with v0).
 */
const SOFTWARE_PATTERN = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;

export const apiVersionsHandler = defineHandler({
  apiKey: 18,
  minVersion: 0,
  maxVersion: 4,
  handle(ctx, request) {
    const apiKeys = [...ctx.broker.handlers.values()]
      .map((h) => ({ apiKey: h.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion }))
      .sort((a, b) => a.apiKey - b.apiKey);
    if (ctx.version >= 3) {
      const ok = SOFTWARE_PATTERN.test(request.clientSoftwareName) && SOFTWARE_PATTERN.test(request.clientSoftwareVersion);
      if (!ok) return { errorCode: ErrorCode.INVALID_REQUEST, apiKeys, throttleTimeMs: 0 };
    }
    return { errorCode: ErrorCode.NONE, apiKeys, throttleTimeMs: 0 };
  },
  errorResponse(_request, errorCode) {
    return { errorCode, apiKeys: [] };
  },
});
