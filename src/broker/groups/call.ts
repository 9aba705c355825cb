import type { CoordinatorApi, CoordinatorApis } from '../../coordinator/index.js';
import type { RequestContext } from '../handler.js';
import { GroupCoordinatorUnavailable } from './shell.js';

/**
 * Runs one group API through the coordinator shell. When the coordinator cannot serve it
 * (stopping, log failure), the answer is the API's own error response with that code
 * (NOT_COORDINATOR), which clients treat as "find the coordinator again".
 */
export async function callCoordinator<A extends CoordinatorApi>(
  rctx: RequestContext,
  api: A,
  body: CoordinatorApis[A]['request'],
  errorResponse: (errorCode: number) => CoordinatorApis[A]['response'],
): Promise<CoordinatorApis[A]['response']> {
  try {
    return await rctx.broker.groups.handle(api, rctx, body);
  } catch (err) {
    if (err instanceof GroupCoordinatorUnavailable) return errorResponse(err.errorCode);
    throw err;
  }
}
