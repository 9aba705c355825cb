import { ErrorCode, errorName } from '../../protocol/errors.js';
import type { FindCoordinatorRequest, FindCoordinatorResponseInit } from '../../protocol/messages/index.js';
import { allowed, Op, Resource } from '../authorize.js';
import { defineHandler, type RequestContext } from '../handler.js';

const KEY_TYPE_GROUP = 0;
const KEY_TYPE_TRANSACTION = 1;
/** FindCoordinator v4+ looks up a batch of keys. */
const MIN_VERSION_BATCHED = 4;

interface Lookup {
  errorCode: number;
  nodeId: number;
  host: string;
  port: number;
}

/**
 * This broker coordinates every group (key type 0) and every transactional id (key type 1).
 * Unknown key types are INVALID_REQUEST. With an authorizer, as Kafka: DESCRIBE on the group
 * (GROUP_AUTHORIZATION_FAILED) or on the transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED).
 */
function lookup(rctx: RequestContext, keyType: number, key: string): Lookup {
  const { advertisedHost, advertisedPort } = rctx.connection.listener;
  if (keyType === KEY_TYPE_GROUP && !allowed(rctx, Op.DESCRIBE, Resource.GROUP, key)) return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, nodeId: -1, host: '', port: -1 };
  if (keyType === KEY_TYPE_TRANSACTION && !allowed(rctx, Op.DESCRIBE, Resource.TRANSACTIONAL_ID, key)) return { errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, nodeId: -1, host: '', port: -1 };
  if (keyType === KEY_TYPE_GROUP || keyType === KEY_TYPE_TRANSACTION) {
    return { errorCode: ErrorCode.NONE, nodeId: rctx.broker.config.nodeId, host: advertisedHost, port: advertisedPort };
  }
  return { errorCode: ErrorCode.INVALID_REQUEST, nodeId: -1, host: '', port: -1 };
}

function message(errorCode: number): string | null {
  return errorCode === ErrorCode.NONE ? null : errorName(errorCode);
}

function answer(request: FindCoordinatorRequest, version: number, lookupOf: (key: string) => Lookup): FindCoordinatorResponseInit {
  if (version >= MIN_VERSION_BATCHED) {
    return {
      coordinators: request.coordinatorKeys.map((key) => {
        const found = lookupOf(key);
        return { key, ...found, errorMessage: message(found.errorCode) };
      }),
    };
  }
  const found = lookupOf(request.key);
  return { ...found, errorMessage: message(found.errorCode) };
}

/** FindCoordinator v0-4: always this broker, for groups and transactional ids. */
export const findCoordinatorHandler = defineHandler({
  apiKey: 10,
  minVersion: 0,
  maxVersion: 4,
  handle: (rctx, request) => answer(request, rctx.version, (key) => lookup(rctx, request.keyType, key)),
  errorResponse: (request, errorCode, version) => answer(request, version, () => ({ errorCode, nodeId: -1, host: '', port: -1 })),
});
