/**
 * Thrown by the wire layer when bytes cannot be decoded: a length that runs past the frame, a
 * negative length where none is allowed, a varint longer than its type permits. The broker answers
 * such a frame by closing the connection (Kafka does the same: the request cannot be parsed, so it
 * cannot even be answered); clients treat it as a broken connection.
 */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
}
