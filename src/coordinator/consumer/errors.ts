/**
 * A request a consumer group refuses, with the Kafka error code and message it is answered with.
 * Transitions throw it before they record anything; the handler turns it into the response.
 */
export class GroupRequestError extends Error {
  override name = 'GroupRequestError';
  constructor(
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
  }
}
