import { ErrorCode } from '../../protocol/errors.js';
import type { CreateAclsAclCreationResultInit } from '../../protocol/messages/index.js';
import { NO_AUTHORIZER } from '../acl-requests.js';
import { allowedOnCluster, Op } from '../authorize.js';
import { defineHandler } from '../handler.js';
import { reportRejection } from '../rejections.js';
import { invalidBinding, type AclBinding } from '../security/authorizer.js';

/**
 * CreateAcls v0-3 (v0 bindings are LITERAL). The valid creations are stored together, durably,
 * before the answer; an invalid one is INVALID_REQUEST on its own result. As Kafka:
 * SECURITY_DISABLED without an authorizer, ALTER on the cluster needed (CLUSTER_AUTHORIZATION_FAILED).
 */
export const createAclsHandler = defineHandler({
  apiKey: 30,
  minVersion: 0,
  maxVersion: 3,
  handle(rctx, request) {
    const all = (errorCode: number, errorMessage: string) => {
      reportRejection(rctx, 'CreateAcls', { errorCode, detail: errorMessage });
      return { throttleTimeMs: 0, results: request.creations.map(() => ({ errorCode, errorMessage })) };
    };
    const acls = rctx.broker.acls;
    if (acls === null) return all(ErrorCode.SECURITY_DISABLED, NO_AUTHORIZER);
    if (!allowedOnCluster(rctx, Op.ALTER)) return all(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'Authorization failed.');
    const results: CreateAclsAclCreationResultInit[] = [];
    const valid: AclBinding[] = [];
    for (const c of request.creations) {
      const binding: AclBinding = { resourceType: c.resourceType, resourceName: c.resourceName, patternType: c.resourcePatternType, principal: c.principal, host: c.host, operation: c.operation, permissionType: c.permissionType };
      const problem = invalidBinding(binding);
      if (problem !== null) {
        reportRejection(rctx, 'CreateAcls', { errorCode: ErrorCode.INVALID_REQUEST, detail: problem });
        results.push({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: problem });
        continue;
      }
      valid.push(binding);
      results.push({ errorCode: ErrorCode.NONE, errorMessage: null });
    }
    if (valid.length > 0) {
      try {
        acls.add(valid);
      } catch (err) {
        rctx.broker.log.error('ACLs could not be stored', { error: (err as Error).message });
        return { throttleTimeMs: 0, results: results.map((r) => (r.errorCode === ErrorCode.NONE ? { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: 'the ACLs could not be stored' } : r)) };
      }
      rctx.broker.log.info('ACLs created', { principal: rctx.connection.principal, count: valid.length });
    }
    return { throttleTimeMs: 0, results };
  },
  errorResponse: (request, errorCode) => ({ throttleTimeMs: 0, results: request.creations.map(() => ({ errorCode, errorMessage: null })) }),
});
