import { credentials, Metadata, Server, ServerCredentials, status, type ServiceError } from '@grpc/grpc-js';
import { RaftMessageType, RaftTransportServiceClient, RaftTransportServiceService, type SendRequest } from '@tributary/proto';
import { nodeId, type Message, type NodeId } from '@tributary/raft';
import { GrpcTransport } from './grpc-transport';
import { encodeRaftMessage } from './raft-message-codec';
import { createRaftTransportHandlers } from './raft-transport-handlers';
import { waitFor } from './testing/wait-for';

const heartbeat = (to: number): Message => ({ type: 'heartbeat', from: nodeId(2), to: nodeId(to), term: 3, commit: 7, context: 'c' });

describe('RaftTransportService over gRPC', () => {
  let server: Server;
  let address: string;
  let received: Message[];
  let client: RaftTransportServiceClient;

  beforeEach(async () => {
    received = [];
    server = new Server();
    server.addService(RaftTransportServiceService, createRaftTransportHandlers({ clusterId: 'alpha', nodeId: nodeId(1), receive: (ms) => received.push(...ms) }));
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
    );
    address = `127.0.0.1:${port}`;
    client = new RaftTransportServiceClient(address, credentials.createInsecure());
  });
  afterEach(() => {
    client.close();
    server.forceShutdown();
  });

  const send = (request: SendRequest) =>
    new Promise<ServiceError | null>((resolve) => client.send(request, new Metadata(), (e) => resolve(e)));

  it('messages sent by GrpcTransport arrive decoded, in order', async () => {
    const transport = new GrpcTransport({ clusterId: 'alpha', peers: new Map([[nodeId(1), address]]) });
    const app: Message = {
      type: 'app', from: nodeId(2), to: nodeId(1), term: 3, index: 4, logTerm: 2, commit: 4,
      entries: [{ index: 5, term: 3, type: 'confChange', data: Buffer.from('{}') }],
    };
    transport.send([heartbeat(1), app]);
    await waitFor(() => received.length === 2, 'two messages');
    expect(received[0]).toEqual(heartbeat(1));
    expect(received[1]).toMatchObject({ type: 'app', index: 4, entries: [{ index: 5, term: 3, type: 'confChange' }] });
    transport.close();
  });

  it('a snapshot larger than one chunk arrives whole over InstallSnapshot', async () => {
    const transport = new GrpcTransport({ clusterId: 'alpha', peers: new Map([[nodeId(1), address]]), snapshotChunkBytes: 1000 });
    const data = Buffer.alloc(5500, 7);
    const voters = [1, 2, 3] as NodeId[];
    transport.send([{ type: 'snap', from: nodeId(2), to: nodeId(1), term: 4, snapshot: { metadata: { index: 9, term: 4, confState: { voters, learners: [] } }, data } }]);
    await waitFor(() => received.length === 1, 'the snapshot');
    expect(received[0]).toMatchObject({ type: 'snap', snapshot: { metadata: { index: 9, term: 4, confState: { voters } } } });
    expect(Buffer.from((received[0] as Extract<Message, { type: 'snap' }>).snapshot.data).equals(data)).toBe(true);
    transport.close();
  });

  it('a node of another cluster is refused with FAILED_PRECONDITION and nothing is stepped', async () => {
    const error = await send({ clusterId: 'beta', messages: [encodeRaftMessage(heartbeat(1) as never)] });
    expect(error?.code).toBe(status.FAILED_PRECONDITION);
    expect(error?.details).toMatch(/cluster id mismatch.*"alpha"/);
    const errors: ServiceError[] = [];
    const transport = new GrpcTransport({ clusterId: 'beta', peers: new Map([[nodeId(1), address]]), onError: (_, e) => errors.push(e) });
    transport.send([heartbeat(1)]);
    transport.send([{ type: 'snap', from: nodeId(2), to: nodeId(1), term: 4, snapshot: { metadata: { index: 9, term: 4, confState: { voters: [], learners: [] } }, data: Buffer.alloc(3) } }]);
    await waitFor(() => errors.length === 2, 'both refusals');
    expect(errors.map((e) => e.code)).toEqual([status.FAILED_PRECONDITION, status.FAILED_PRECONDITION]);
    expect(received).toEqual([]);
    transport.close();
  });

  it('malformed messages are refused with INVALID_ARGUMENT and none of the batch is stepped', async () => {
    const good = encodeRaftMessage(heartbeat(1) as never);
    const cases: SendRequest['messages'][] = [
      [good, { ...good, type: RaftMessageType.RAFT_MESSAGE_TYPE_UNSPECIFIED }],
      [good, { ...good, from: 0 }],
      [{ ...good, to: 2 }],
      [{ ...good, type: RaftMessageType.RAFT_MESSAGE_TYPE_APP, index: 4, entries: [{ index: 6, term: 1, type: 1, data: Buffer.alloc(0) }] }],
    ];
    for (const messages of cases) {
      const error = await send({ clusterId: 'alpha', messages });
      expect(error?.code).toBe(status.INVALID_ARGUMENT);
    }
    expect(received).toEqual([]);
  });
});
