import { Reader } from '../../protocol/reader.js';
import { Writer } from '../../protocol/writer.js';
import { API_VERSIONS_KEY, decodeResponseHeader, encodeRequestHeader } from '../../protocol/headers.js';
import { API_SPECS } from '../../protocol/messages/index.js';
import { decodeApiVersionsResponse, type ApiVersionsResponse } from '../../protocol/messages/18-api-versions.js';
import { ErrorCode } from '../../protocol/errors.js';

type AnySpec = {
  encodeRequest(w: Writer, version: number, body: unknown): void;
  decodeResponse(r: Reader, version: number): unknown;
};

/** A request body encoder, for the rare body the generated codec cannot express. */
export type BodyEncoder = (w: Writer, version: number) => void;

/**
 * Encodes one request frame (size prefix, header v1/v2 by flexibility, body) as parts ready for
 * `socket.write`; large record batches are referenced, not copied (see Writer).
 */
export function encodeRequestFrame(apiKey: number, version: number, correlationId: number, clientId: string, body: unknown, encoder?: BodyEncoder): Buffer[] {
  const w = new Writer({ sizePrefix: true, initialBytes: 512 });
  encodeRequestHeader(w, { apiKey, apiVersion: version, correlationId, clientId });
  if (encoder !== undefined) encoder(w, version);
  else ((API_SPECS as unknown as Record<number, AnySpec>)[apiKey]!).encodeRequest(w, version, body);
  return w.finish();
}

/** The correlation id a response frame starts with (it is the same in every header version). */
export function peekCorrelationId(frame: Buffer): number {
  return frame.readInt32BE(0);
}

/** Decodes a response frame's header and body for the request it answers. */
export function decodeResponseFrame(frame: Buffer, apiKey: number, version: number): unknown {
  const r = new Reader(frame);
  decodeResponseHeader(r, apiKey, version);
  if (apiKey === API_VERSIONS_KEY) return decodeApiVersions(r, version);
  return ((API_SPECS as unknown as Record<number, AnySpec>)[apiKey]!).decodeResponse(r, version);
}

/**
 * A broker that does not support the ApiVersions version we sent answers UNSUPPORTED_VERSION with
 * a v0 body listing its own range for key 18 (KIP-511), whatever version was asked; read it so.
 */
function decodeApiVersions(r: Reader, version: number): ApiVersionsResponse {
  const errorCode = r.remaining >= 2 ? r.buf.readInt16BE(r.pos) : 0;
  if (errorCode === ErrorCode.UNSUPPORTED_VERSION && version > 0) {
    try {
      return decodeApiVersionsResponse(r, 0);
    } catch {
      // Older brokers answer with an empty or unparseable list: the caller falls back to v0.
      return { errorCode, apiKeys: [], throttleTimeMs: 0, supportedFeatures: [], finalizedFeaturesEpoch: -1, finalizedFeatures: [], zkMigrationReady: false };
    }
  }
  return decodeApiVersionsResponse(r, version);
}
