import { credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { ControllerServiceClient, ERROR_CODE_TRAILER, type DescribeQuorumResponse } from '@tributary/proto';
import { ErrorCode, TributaryError, type ErrorCodeName } from '@tributary/protocol';

/**
 * DescribeQuorum from the first of `controllers` (host:port) that answers. Any voter answers with
 * its own view; when that voter is not the leader but knows one, the leader is asked once, so the
 * term, commit index and broker states shown are the active controller's. If the leader cannot
 * be reached, the first view is returned.
 */
export async function describeQuorum(controllers: string[], timeoutMs: number): Promise<DescribeQuorumResponse> {
  let failure: TributaryError | undefined;
  for (const address of controllers) {
    try {
      const view = await callDescribeQuorum(address, timeoutMs);
      const leader = view.voters.find((v) => v.nodeId === view.leaderId && v.nodeId !== view.nodeId);
      if (!leader?.address) return view;
      return await callDescribeQuorum(leader.address, timeoutMs).catch(() => view);
    } catch (error) {
      failure = error as TributaryError;
    }
  }
  throw failure ?? new TributaryError('INVALID_REQUEST', '--bootstrap-controller names no controller; give host:port[,host:port…]');
}

function callDescribeQuorum(address: string, timeoutMs: number): Promise<DescribeQuorumResponse> {
  const client = new ControllerServiceClient(address, credentials.createInsecure());
  return new Promise<DescribeQuorumResponse>((resolve, reject) => {
    client.describeQuorum({}, new Metadata(), { deadline: Date.now() + timeoutMs }, (error, response) => {
      client.close();
      if (error) reject(controllerError(error, address));
      else resolve(response);
    });
  });
}

/** The controller's error code travels in a trailer; a connection failure has none. */
function controllerError(error: ServiceError, address: string): TributaryError {
  const trailer = error.metadata?.get(ERROR_CODE_TRAILER)[0];
  // grpc-js appends an empty "Resolution note:" to connection failures.
  const details = (error.details ?? error.message).replace(/\.?\s*Resolution note:\s*$/, '');
  if (typeof trailer === 'string' && trailer in ErrorCode) {
    return new TributaryError(trailer as ErrorCodeName, details.replace(`${trailer}: `, ''), { cause: error });
  }
  if (error.code === status.UNAVAILABLE || error.code === status.DEADLINE_EXCEEDED) {
    return new TributaryError('NETWORK_EXCEPTION', `cannot reach controller ${address}: ${details}; check --bootstrap-controller and that the controller is running`, { cause: error });
  }
  if (error.code === status.UNIMPLEMENTED) {
    return new TributaryError('UNSUPPORTED_VERSION', `${address} serves no ControllerService (a broker, or a single-node broker with an embedded controller?); use --bootstrap-server for a broker`, { cause: error });
  }
  return new TributaryError('UNKNOWN_SERVER_ERROR', `controller ${address} failed DescribeQuorum (gRPC ${status[error.code] ?? error.code}): ${details}`, { cause: error });
}
