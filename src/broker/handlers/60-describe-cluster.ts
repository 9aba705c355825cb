import { ErrorCode } from '../../protocol/errors.js';
import { authorizedOperations, CLUSTER_NAME, Resource } from '../authorize.js';
import { defineHandler } from '../handler.js';
import { reportRejection } from '../rejections.js';

/** DescribeCluster EndpointType (KIP-919): 1 brokers, 2 controllers. */
const ENDPOINT_BROKERS = 1;
const AUTHORIZED_OPERATIONS_OMITTED = -2_147_483_648;

/** DescribeCluster v0-1 (KIP-700): one broker, which is also the controller. */
export const describeClusterHandler = defineHandler({
  apiKey: 60,
  minVersion: 0,
  maxVersion: 1,
  handle(rctx, request) {
    const { nodeId, clusterId } = rctx.broker.config;
    const { advertisedHost, advertisedPort } = rctx.connection.listener;
    if (rctx.version >= 1 && request.endpointType !== ENDPOINT_BROKERS) {
      const errorCode = ErrorCode.MISMATCHED_ENDPOINT_TYPE;
      const errorMessage = 'this broker only describes broker endpoints';
      reportRejection(rctx, 'DescribeCluster', { errorCode, detail: errorMessage });
      return { throttleTimeMs: 0, errorCode, errorMessage, endpointType: request.endpointType, clusterId, controllerId: -1, brokers: [] };
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      endpointType: ENDPOINT_BROKERS,
      clusterId,
      controllerId: nodeId,
      brokers: [{ brokerId: nodeId, host: advertisedHost, port: advertisedPort, rack: null }],
      clusterAuthorizedOperations: request.includeClusterAuthorizedOperations ? authorizedOperations(rctx, Resource.CLUSTER, CLUSTER_NAME) : AUTHORIZED_OPERATIONS_OMITTED,
    };
  },
  errorResponse(_request, errorCode) {
    return { throttleTimeMs: 0, errorCode, errorMessage: null, clusterId: '', controllerId: -1, brokers: [] };
  },
});
