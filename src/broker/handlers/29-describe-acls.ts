import { ErrorCode } from '../../protocol/errors.js';
import { groupByResource, invalidFilter, NO_AUTHORIZER, toFilter } from '../acl-requests.js';
import { allowedOnCluster, Op } from '../authorize.js';
import { defineHandler } from '../handler.js';
import { reportRejection } from '../rejections.js';

/**
 * DescribeAcls v0-3: the ACLs matching a filter (null names and ANY codes match everything; MATCH
 * finds every binding that applies to a resource, literal, wildcard or prefixed). As Kafka:
 * SECURITY_DISABLED without an authorizer, DESCRIBE on the cluster needed
 * (CLUSTER_AUTHORIZATION_FAILED), INVALID_REQUEST for an UNKNOWN code in the filter.
 */
export const describeAclsHandler = defineHandler({
  apiKey: 29,
  minVersion: 0,
  maxVersion: 3,
  handle(rctx, request) {
    const fail = (errorCode: number, errorMessage: string) => {
      reportRejection(rctx, 'DescribeAcls', { errorCode, detail: errorMessage });
      return { throttleTimeMs: 0, errorCode, errorMessage, resources: [] };
    };
    const acls = rctx.broker.acls;
    if (acls === null) return fail(ErrorCode.SECURITY_DISABLED, NO_AUTHORIZER);
    if (!allowedOnCluster(rctx, Op.DESCRIBE)) return fail(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'Authorization failed.');
    const problem = invalidFilter(request);
    if (problem !== null) return fail(ErrorCode.INVALID_REQUEST, problem);
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, resources: groupByResource(acls.authorizer.describe(toFilter(request))) };
  },
  errorResponse: (_request, errorCode) => ({ throttleTimeMs: 0, errorCode, errorMessage: null, resources: [] }),
});
