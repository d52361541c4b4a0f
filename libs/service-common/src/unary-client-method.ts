/** Calling ts-proto's generated grpc-js clients generically (by method name), as promises. */
import { Metadata, type CallOptions, type ClientUnaryCall, type ServiceError } from '@grpc/grpc-js';

/** The last (full) overload of a generated unary client method. */
export type UnaryClientMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => ClientUnaryCall;

export type RequestOf<M> = M extends UnaryClientMethod<infer Req, unknown> ? Req : never;
export type ResponseOf<M> = M extends UnaryClientMethod<never, infer Res> ? Res : never;

/** Calls the generated unary method `method` of `client`; rejects with the ServiceError. */
export function callUnary<C, K extends keyof C>(client: C, method: K, request: RequestOf<C[K]>, options: Partial<CallOptions> = {}): Promise<ResponseOf<C[K]>> {
  const fn = client[method] as unknown as UnaryClientMethod<RequestOf<C[K]>, ResponseOf<C[K]>>;
  return new Promise((resolve, reject) => fn.call(client, request, new Metadata(), options, (error, response) => (error ? reject(error) : resolve(response))));
}
