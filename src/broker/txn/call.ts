import type { TxnCoordinatorApi, TxnCoordinatorApis } from '../../coordinator/txn/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { RequestContext } from '../handler.js';
import { TxnCoordinatorUnavailable } from './shell.js';

/**
 * Runs one transaction API through the coordinator shell. When the coordinator cannot serve it
 * (stopping, log failure), the answer is the API's own error response with that code.
 */
export async function callTxnCoordinator<A extends TxnCoordinatorApi>(
  rctx: RequestContext,
  api: A,
  body: TxnCoordinatorApis[A]['request'],
  errorResponse: (errorCode: number) => TxnCoordinatorApis[A]['response'],
): Promise<TxnCoordinatorApis[A]['response']> {
  try {
    return await rctx.broker.txn.handle(api, body);
  } catch (err) {
    if (err instanceof TxnCoordinatorUnavailable) return errorResponse(err.errorCode);
    throw err;
  }
}

/**
 * KIP-588 gave the coordinator APIs PRODUCER_FENCED; clients of older versions only know
 * INVALID_PRODUCER_EPOCH, which Kafka answers them instead.
 */
export function fencedErrorFor(errorCode: number, version: number, firstVersionWithProducerFenced: number): number {
  return errorCode === ErrorCode.PRODUCER_FENCED && version < firstVersionWithProducerFenced ? ErrorCode.INVALID_PRODUCER_EPOCH : errorCode;
}
