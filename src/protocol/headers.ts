import type { Reader } from './reader.js';
import type { Writer } from './writer.js';
import { API_SPECS } from './messages/index.js';

export const API_VERSIONS_KEY = 18;

/** What every request starts with (request header v1/v2; v0 is only used by an inter-broker API). */
export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

/**
 * Whether (apiKey, apiVersion) uses the flexible encoding (KIP-482). For an API key we do not
 * know nothing can be said; callers reject such requests before decoding a body.
 */
export function isFlexible(apiKey: number, apiVersion: number): boolean {
  const spec = (API_SPECS as Record<number, { flexibleFrom: number }>)[apiKey];
  if (spec === undefined || spec.flexibleFrom < 0) return false;
  return apiVersion >= spec.flexibleFrom;
}

/**
 * Reads a request header. The client id keeps its classic int16-length form even in header v2 so
 * that any ApiVersions request can be read, whatever its version; only the tag buffer is new.
 */
export function decodeRequestHeader(r: Reader): RequestHeader {
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  const clientId = r.nullableString(false);
  if (isFlexible(apiKey, apiVersion)) r.skipTags();
  return { apiKey, apiVersion, correlationId, clientId };
}

export function encodeRequestHeader(w: Writer, h: RequestHeader): void {
  w.int16(h.apiKey).int16(h.apiVersion).int32(h.correlationId).nullableString(h.clientId, false);
  if (isFlexible(h.apiKey, h.apiVersion)) w.emptyTags();
}

/**
 * Response header v1 (with a tag buffer) for flexible versions, except ApiVersions, whose
 * response header is always v0 so a client can read it before it knows what the broker speaks
 * (KIP-511).
 */
export function responseHeaderHasTags(apiKey: number, apiVersion: number): boolean {
  return apiKey !== API_VERSIONS_KEY && isFlexible(apiKey, apiVersion);
}

export function encodeResponseHeader(w: Writer, apiKey: number, apiVersion: number, correlationId: number): void {
  w.int32(correlationId);
  if (responseHeaderHasTags(apiKey, apiVersion)) w.emptyTags();
}

export function decodeResponseHeader(r: Reader, apiKey: number, apiVersion: number): number {
  const correlationId = r.int32();
  if (responseHeaderHasTags(apiKey, apiVersion)) r.skipTags();
  return correlationId;
}
