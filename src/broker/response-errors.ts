/**
 * The non-zero `errorCode` fields of a response, wherever they sit (top level, per topic, per
 * partition): what a broker's "errors by code" metric counts (Kafka's ErrorsPerSec by request
 * and error). Walks plain objects and arrays only; record bytes (Buffers) are skipped, so the
 * cost is one visit per topic and partition of the answer.
 */
export function responseErrorCodes(response: unknown, out: number[] = [], depth = 0): number[] {
  if (response === null || typeof response !== 'object' || depth > 6 || Buffer.isBuffer(response) || ArrayBuffer.isView(response)) return out;
  if (Array.isArray(response)) {
    for (const item of response) {
      if (item === null || typeof item !== 'object' || Buffer.isBuffer(item)) continue;
      responseErrorCodes(item, out, depth + 1);
    }
    return out;
  }
  for (const key in response) {
    const value = (response as Record<string, unknown>)[key];
    if (key === 'errorCode') {
      if (typeof value === 'number' && value !== 0) out.push(value);
    } else if (value !== null && typeof value === 'object') {
      responseErrorCodes(value, out, depth + 1);
    }
  }
  return out;
}
