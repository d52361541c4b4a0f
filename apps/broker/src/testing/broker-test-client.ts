/**
 * Test helpers: a real broker in a temp dir on 127.0.0.1:0 and real grpc-js clients built from
 * @tributary/proto, with promise-returning calls and the error code read from the trailer.
 */
import { credentials, Metadata, type ServiceError, type ChannelOptions } from '@grpc/grpc-js';
import { AdminServiceClient, BrokerServiceClient, ERROR_CODE_TRAILER } from '@tributary/proto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker } from '../start-broker';
import type { RunningBroker, StartBrokerOptions } from '../broker-options';

type Unary<Req, Res> = (request: Req, metadata: Metadata, options: object, callback: (error: ServiceError | null, response?: Res) => void) => unknown;

/** Calls a generated unary method as a promise. */
export function call<Req, Res>(client: object, method: Unary<Req, Res>, request: Req): Promise<Res> {
  return new Promise((resolve, reject) =>
    method.call(client, request, new Metadata(), {}, (error, response) => (error ? reject(error) : resolve(response as Res))),
  );
}

/** The error a call failed with: gRPC status, the code from the trailer, the message. */
export async function failure(promise: Promise<unknown>): Promise<{ status: number; code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    const serviceError = error as ServiceError;
    return {
      status: serviceError.code,
      code: String(serviceError.metadata?.get(ERROR_CODE_TRAILER)[0] ?? ''),
      message: serviceError.details,
    };
  }
  throw new Error('expected the call to fail, but it succeeded');
}

const CHANNEL_OPTIONS: ChannelOptions = {
  'grpc.max_receive_message_length': 64 * 1024 * 1024,
  'grpc.max_send_message_length': 64 * 1024 * 1024,
};

export interface TestBroker {
  dataDir: string;
  broker: RunningBroker;
  address: string;
  admin: InstanceType<typeof AdminServiceClient>;
  data: InstanceType<typeof BrokerServiceClient>;
  /** Stops the broker (flushing) and starts it again on the same data dir. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startTestBroker(config: Record<string, string> = {}, dataDir?: string): Promise<TestBroker> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'tributary-broker-')));
  const options: StartBrokerOptions = { dataDir: dir, port: 0, metricsPort: 0, config, logLevel: 'silent' };
  const connect = (port: number) => ({
    address: `127.0.0.1:${port}`,
    admin: new AdminServiceClient(`127.0.0.1:${port}`, credentials.createInsecure(), CHANNEL_OPTIONS),
    data: new BrokerServiceClient(`127.0.0.1:${port}`, credentials.createInsecure(), CHANNEL_OPTIONS),
  });
  const broker = await startBroker(options);
  const test: TestBroker = {
    dataDir: dir,
    broker,
    ...connect(broker.port),
    async restart() {
      test.admin.close();
      test.data.close();
      await test.broker.close();
      test.broker = await startBroker(options);
      Object.assign(test, connect(test.broker.port));
    },
    async close() {
      test.admin.close();
      test.data.close();
      await test.broker.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return test;
}
