import { ErrorCode } from '../../protocol/errors.js';
import type { DeleteAclsFilterResultInit } from '../../protocol/messages/index.js';
import { invalidFilter, NO_AUTHORIZER, toFilter } from '../acl-requests.js';
import { allowedOnCluster, Op } from '../authorize.js';
import { defineHandler } from '../handler.js';
import { reportRejection } from '../rejections.js';
import type { AclBindingFilter } from '../security/authorizer.js';

/**
 * DeleteAcls v0-3: removes every ACL each filter matches and returns them, per filter. Stored
 * durably before the answer. As Kafka: SECURITY_DISABLED without an authorizer, ALTER on the
 * cluster needed (CLUSTER_AUTHORIZATION_FAILED), INVALID_REQUEST for a filter with UNKNOWN codes.
 */
export const deleteAclsHandler = defineHandler({
  apiKey: 31,
  minVersion: 0,
  maxVersion: 3,
  handle(rctx, request) {
    const all = (errorCode: number, errorMessage: string) => {
      reportRejection(rctx, 'DeleteAcls', { errorCode, detail: errorMessage });
      return { throttleTimeMs: 0, filterResults: request.filters.map(() => ({ errorCode, errorMessage, matchingAcls: [] })) };
    };
    const acls = rctx.broker.acls;
    if (acls === null) return all(ErrorCode.SECURITY_DISABLED, NO_AUTHORIZER);
    if (!allowedOnCluster(rctx, Op.ALTER)) return all(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'Authorization failed.');
    const filterResults: DeleteAclsFilterResultInit[] = request.filters.map(() => ({ errorCode: ErrorCode.NONE, errorMessage: null, matchingAcls: [] }));
    const valid: Array<{ index: number; filter: AclBindingFilter }> = [];
    request.filters.forEach((f, index) => {
      const problem = invalidFilter(f);
      if (problem === null) valid.push({ index, filter: toFilter(f) });
      else filterResults[index] = { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: problem, matchingAcls: [] };
    });
    let removed;
    try {
      removed = acls.remove(valid.map((v) => v.filter));
    } catch (err) {
      rctx.broker.log.error('ACLs could not be stored', { error: (err as Error).message });
      return all(ErrorCode.UNKNOWN_SERVER_ERROR, 'the ACLs could not be stored');
    }
    valid.forEach((v, i) => {
      filterResults[v.index] = {
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        matchingAcls: removed[i]!.map((b) => ({ errorCode: ErrorCode.NONE, errorMessage: null, ...b })),
      };
    });
    const count = removed.reduce((n, list) => n + list.length, 0);
    if (count > 0) rctx.broker.log.info('ACLs deleted', { principal: rctx.connection.principal, count });
    return { throttleTimeMs: 0, filterResults };
  },
  errorResponse: (request, errorCode) => ({ throttleTimeMs: 0, filterResults: request.filters.map(() => ({ errorCode, errorMessage: null, matchingAcls: [] })) }),
});
