import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { RaftTransportServiceClient } from '@tributary/proto';
import type { Message, NodeId, SnapMessage } from '@tributary/raft';
import { encodeRaftMessage, encodeSnapshotHeader } from './raft-message-codec';

export interface GrpcTransportOptions {
  clusterId: string;
  /** Where each peer's RaftTransportService listens ("host:port"). */
  peers: ReadonlyMap<NodeId, string>;
  /** Messages queued per peer while a call is in flight; more are dropped (Raft resends what matters). */
  queueMessagesMax?: number;
  snapshotChunkBytes?: number;
  /** A call that takes longer fails, so a hung peer cannot hold its queue. */
  callTimeoutMs?: number;
  /** Told about failed calls (a peer down, another cluster): for logs, never for control flow. */
  onError?: (peer: NodeId, error: ServiceError) => void;
}

/**
 * Sends Raft messages to peers over gRPC, fire-and-forget: delivery may fail and messages may
 * be dropped, which Raft tolerates. Per peer, one Send call is in flight at a time, carrying
 * everything queued since the previous one, so messages keep their order; a snapshot goes on
 * its own InstallSnapshot stream, one at a time. grpc-js reconnects on its own; the backoff is
 * capped low because peers restart within an election timeout.
 */
export class GrpcTransport {
  private readonly peers = new Map<NodeId, PeerChannel>();

  constructor(private readonly options: GrpcTransportOptions) {
    for (const [id, address] of options.peers) this.peers.set(id, new PeerChannel(id, address, options));
  }

  send(messages: readonly Message[]): void {
    for (const m of messages) this.peers.get(m.to)?.enqueue(m);
  }

  close(): void {
    for (const p of this.peers.values()) p.close();
  }
}

class PeerChannel {
  private readonly client: RaftTransportServiceClient;
  private queue: Exclude<Message, SnapMessage>[] = [];
  private sending = false;
  private snapshotSending = false;
  private closed = false;
  private readonly queueMessagesMax: number;

  constructor(
    private readonly id: NodeId,
    address: string,
    private readonly options: GrpcTransportOptions,
  ) {
    this.queueMessagesMax = options.queueMessagesMax ?? 4096;
    this.client = new RaftTransportServiceClient(address, credentials.createInsecure(), {
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 1000,
      'grpc.max_send_message_length': 64 * 1024 * 1024,
    });
  }

  enqueue(m: Message): void {
    if (this.closed) return;
    if (m.type === 'snap') {
      this.sendSnapshot(m);
      return;
    }
    if (this.queue.length >= this.queueMessagesMax) return;
    this.queue.push(m);
    if (!this.sending) this.flush();
  }

  close(): void {
    this.closed = true;
    this.queue = [];
    this.client.close();
  }

  private flush(): void {
    if (this.closed || this.queue.length === 0) {
      this.sending = false;
      return;
    }
    this.sending = true;
    const batch = this.queue;
    this.queue = [];
    this.client.send(
      { clusterId: this.options.clusterId, messages: batch.map(encodeRaftMessage) },
      new Metadata(),
      { deadline: this.deadline() },
      (error) => {
        if (error) this.report(error);
        this.flush();
      },
    );
  }

  /** A second snapshot while one is on its way is dropped: the leader asks again if it needs to. */
  private sendSnapshot(m: SnapMessage): void {
    if (this.snapshotSending) return;
    this.snapshotSending = true;
    const call = this.client.installSnapshot({ deadline: this.deadline() }, (error) => {
      this.snapshotSending = false;
      if (error) this.report(error);
    });
    const chunkBytes = this.options.snapshotChunkBytes ?? 1024 * 1024;
    const data = Buffer.from(m.snapshot.data.buffer, m.snapshot.data.byteOffset, m.snapshot.data.length);
    call.write({ clusterId: this.options.clusterId, header: encodeSnapshotHeader(m), data: data.subarray(0, chunkBytes) });
    for (let pos = chunkBytes; pos < data.length; pos += chunkBytes) {
      call.write({ clusterId: this.options.clusterId, header: undefined, data: data.subarray(pos, pos + chunkBytes) });
    }
    call.end();
  }

  private deadline(): Date {
    return new Date(Date.now() + (this.options.callTimeoutMs ?? 5000));
  }

  private report(error: ServiceError): void {
    if (!this.closed) this.options.onError?.(this.id, error);
  }
}
