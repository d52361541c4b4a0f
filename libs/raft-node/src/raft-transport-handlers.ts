import { Metadata, status, type ServerErrorResponse } from '@grpc/grpc-js';
import { ERROR_CODE_TRAILER, type RaftTransportServiceServer } from '@tributary/proto';
import { TributaryError } from '@tributary/protocol';
import type { Message, NodeId } from '@tributary/raft';
import { decodeRaftMessage, decodeSnapshotMessage } from './raft-message-codec';

export interface RaftTransportHandlersOptions {
  clusterId: string;
  nodeId: NodeId;
  /** Receives every well-formed batch addressed to this node, in arrival order. */
  receive: (messages: Message[]) => void;
  /** A snapshot stream longer than this is refused. */
  snapshotBytesMax?: number;
}

/**
 * The server side of RaftTransportService, for the controller to register on its gRPC server.
 * A request from another cluster answers FAILED_PRECONDITION; a malformed one, or one addressed
 * to another node, INVALID_ARGUMENT. Either way nothing of it reaches Raft.
 */
export function createRaftTransportHandlers(options: RaftTransportHandlersOptions): RaftTransportServiceServer {
  const snapshotBytesMax = options.snapshotBytesMax ?? 1024 * 1024 * 1024;

  function check(clusterId: string, messages: Message[]): void {
    if (clusterId !== options.clusterId) {
      throw new TributaryError(
        'INVALID_REQUEST',
        `cluster id mismatch: the sender belongs to cluster "${clusterId}" but node ${options.nodeId} to "${options.clusterId}"; ` +
          'check the peer addresses or format the node for this cluster',
      );
    }
    for (const m of messages) {
      if (m.to !== options.nodeId) throw new TributaryError('INVALID_REQUEST', `a ${m.type} message for node ${m.to} reached node ${options.nodeId}`);
    }
  }

  return {
    send(call, callback) {
      try {
        const messages = call.request.messages.map(decodeRaftMessage);
        check(call.request.clusterId, messages);
        options.receive(messages);
        callback(null, {});
      } catch (e) {
        callback(toStatus(e, call.request.clusterId !== options.clusterId));
      }
    },
    installSnapshot(call, callback) {
      let clusterId: string | undefined;
      let header: Parameters<typeof decodeSnapshotMessage>[0] | undefined;
      const chunks: Buffer[] = [];
      let received = 0;
      let failed = false;
      const fail = (e: unknown) => {
        if (failed) return;
        failed = true;
        callback(toStatus(e, clusterId !== undefined && clusterId !== options.clusterId));
      };
      call.on('data', (chunk: { clusterId: string; header?: typeof header; data: Uint8Array }) => {
        if (failed) return;
        clusterId ??= chunk.clusterId;
        if (chunk.clusterId !== options.clusterId) return fail(new TributaryError('INVALID_REQUEST', 'cluster id mismatch'));
        header ??= chunk.header;
        received += chunk.data.length;
        if (received > snapshotBytesMax) {
          return fail(new TributaryError('INVALID_REQUEST', `snapshot stream passed ${snapshotBytesMax} bytes; raise snapshotBytesMax on the receiver`));
        }
        chunks.push(Buffer.from(chunk.data));
      });
      call.on('error', () => {
        failed = true; // the sender went away; its leader will send the snapshot again
      });
      call.on('end', () => {
        if (failed) return;
        try {
          if (clusterId !== undefined) check(clusterId, []);
          if (!header) throw new TributaryError('CORRUPT_MESSAGE', 'malformed Raft message: a snapshot stream without a header in its first chunk');
          if (received !== header.dataBytes) {
            throw new TributaryError('CORRUPT_MESSAGE', `malformed Raft message: the snapshot stream carried ${received} of ${header.dataBytes} bytes`);
          }
          const message = decodeSnapshotMessage(header, Buffer.concat(chunks));
          check(options.clusterId, [message]);
          options.receive([message]);
          callback(null, {});
        } catch (e) {
          fail(e);
        }
      });
    },
  };

  function toStatus(e: unknown, otherCluster: boolean): ServerErrorResponse {
    const error = e instanceof TributaryError ? e : new TributaryError('UNKNOWN_SERVER_ERROR', String(e));
    const metadata = new Metadata();
    metadata.set(ERROR_CODE_TRAILER, error.code);
    if (otherCluster) {
      return {
        name: 'ClusterIdMismatch',
        code: status.FAILED_PRECONDITION,
        message: `cluster id mismatch: this is node ${options.nodeId} of cluster "${options.clusterId}"; requests from another cluster are refused`,
        metadata,
      };
    }
    return { name: error.code, code: status.INVALID_ARGUMENT, message: `${error.code}: ${error.message}`, metadata };
  }
}
