/** Types for calling ts-proto's generated grpc-js clients generically (by method name). */
import type { CallOptions, ClientUnaryCall, Metadata, ServiceError } from '@grpc/grpc-js';

/** The last (full) overload of a generated unary client method. */
export type UnaryClientMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => ClientUnaryCall;

export type RequestOf<M> = M extends UnaryClientMethod<infer Req, unknown> ? Req : never;
export type ResponseOf<M> = M extends UnaryClientMethod<never, infer Res> ? Res : never;
