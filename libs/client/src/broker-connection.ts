import { credentials, Metadata, type Client, type ServiceError } from '@grpc/grpc-js';
import { AdminServiceClient, BrokerServiceClient, GroupServiceClient, ProduceResponse } from '@tributary/proto';
import { grpcError } from './grpc-error';
import { encodeProduceRequest, type RawProduceRequest } from './produce-request-writer';

export interface ConnectionOptions {
  /** Deadline of every call, unless the call names its own. */
  requestTimeoutMs: number;
}

const CHANNEL_OPTIONS = {
  // Batches and fetch responses are large; the broker enforces its own limits.
  'grpc.max_send_message_length': -1,
  'grpc.max_receive_message_length': -1,
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 10_000,
  'grpc.keepalive_permit_without_calls': 1,
  // Each connection gets its own HTTP/2 channel (producers and consumers must not share one).
  'grpc.use_local_subchannel_pool': 1,
  // HTTP/2's 64 KiB receive window makes a multi-MiB fetch response wait for a window round
  // trip every 64 KiB; this window lets one arrive whole.
  'grpc-node.flow_control_window': 64 * 1024 * 1024,
};

const PRODUCE_PATH = BrokerServiceClient.service.produce.path;
const passThrough = (b: Buffer): Buffer => b;

type Callback<T> = (err: ServiceError | null, res: T) => void;
type UnaryMethod<Req, Res> = (req: Req, md: Metadata, options: { deadline: number }, cb: Callback<Res>) => unknown;
// ts-proto's stubs are overloaded; inference sees the last overload, (request, metadata, options, callback).
type MethodsOf<C> = {
  [K in keyof C]: C[K] extends (req: infer Req, md: Metadata, options: never, cb: Callback<infer Res>) => unknown ? [Req, Res] : never;
};
type UnaryName<C> = { [K in keyof C]: MethodsOf<C>[K] extends [unknown, unknown] ? K : never }[keyof C];

export type AdminMethod = UnaryName<AdminServiceClient>;
export type AdminRequest<K extends AdminMethod> = MethodsOf<AdminServiceClient>[K][0];
export type AdminResponse<K extends AdminMethod> = MethodsOf<AdminServiceClient>[K][1];
export type GroupMethod = UnaryName<GroupServiceClient>;
export type GroupRequest<K extends GroupMethod> = MethodsOf<GroupServiceClient>[K][0];
export type GroupResponse<K extends GroupMethod> = MethodsOf<GroupServiceClient>[K][1];

/**
 * One gRPC channel to one broker, shared by the data-plane (BrokerService), admin
 * (AdminService) and consumer-group (GroupService) stubs. Calls become promises that reject
 * with TributaryError.
 */
export class BrokerConnection {
  readonly broker: BrokerServiceClient;
  readonly admin: AdminServiceClient;
  readonly groups: GroupServiceClient;

  constructor(
    readonly address: string,
    private readonly options: ConnectionOptions,
  ) {
    this.broker = new BrokerServiceClient(address, credentials.createInsecure(), CHANNEL_OPTIONS);
    this.admin = new AdminServiceClient(address, credentials.createInsecure(), {
      ...CHANNEL_OPTIONS,
      channelOverride: this.broker.getChannel(),
    });
    this.groups = new GroupServiceClient(address, credentials.createInsecure(), {
      ...CHANNEL_OPTIONS,
      channelOverride: this.broker.getChannel(),
    });
  }

  call<K extends UnaryName<BrokerServiceClient>>(
    method: K,
    request: MethodsOf<BrokerServiceClient>[K][0],
    timeoutMs?: number,
  ): Promise<MethodsOf<BrokerServiceClient>[K][1]> {
    return this.unary(this.broker, method, request, timeoutMs);
  }

  callAdmin<K extends AdminMethod>(method: K, request: AdminRequest<K>, timeoutMs?: number): Promise<AdminResponse<K>> {
    return this.unary(this.admin, method, request, timeoutMs);
  }

  callGroup<K extends GroupMethod>(method: K, request: GroupRequest<K>, timeoutMs?: number): Promise<GroupResponse<K>> {
    return this.unary(this.groups, method, request, timeoutMs);
  }

  /** Produce on the fast path: the request is written by hand around the batch bytes. */
  produceRaw(request: RawProduceRequest, timeoutMs?: number): Promise<ProduceResponse> {
    return new Promise((resolve, reject) => {
      this.broker.makeUnaryRequest(
        PRODUCE_PATH,
        passThrough,
        (b: Buffer) => ProduceResponse.decode(b),
        encodeProduceRequest(request),
        new Metadata(),
        { deadline: this.deadline(timeoutMs) },
        (err: ServiceError | null, res?: ProduceResponse) => (err ? reject(grpcError(err, this.address)) : resolve(res!)),
      );
    });
  }

  close(): void {
    this.groups.close();
    this.admin.close();
    this.broker.close();
  }

  private unary<C extends Client, Req, Res>(client: C, method: keyof C, request: Req, timeoutMs?: number): Promise<Res> {
    const fn = client[method] as unknown as UnaryMethod<Req, Res>;
    return new Promise((resolve, reject) => {
      fn.call(client, request, new Metadata(), { deadline: this.deadline(timeoutMs) }, (err, res) =>
        err ? reject(grpcError(err, this.address)) : resolve(res),
      );
    });
  }

  private deadline(timeoutMs: number | undefined): number {
    return Date.now() + (timeoutMs ?? this.options.requestTimeoutMs);
  }
}
