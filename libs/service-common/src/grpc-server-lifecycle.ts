/** Binding and draining a plain grpc-js server, as every service's server host does. */
import { ServerCredentials, type Server } from '@grpc/grpc-js';

/** Binds without TLS; resolves with the port bound (the one asked for, or a free one for 0). */
export function bindInsecure(server: Server, address: string): Promise<number> {
  return new Promise<number>((resolve, reject) =>
    server.bindAsync(address, ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port))),
  );
}

/**
 * Stops accepting calls and waits for those in flight, for at most `drainTimeoutMs`; then cancels
 * what is left (after `onForce`, e.g. to log that calls were cut).
 */
export function drainGrpcServer(server: Server, drainTimeoutMs: number, onForce: () => void): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      onForce();
      server.forceShutdown();
      resolve();
    }, drainTimeoutMs);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
