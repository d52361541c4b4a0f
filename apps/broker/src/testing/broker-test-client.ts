/**
 * Test helpers: a real broker in a temp dir on 127.0.0.1:0 and real grpc-js clients built from
 * @tributary/proto, with promise-returning calls and the error code read from the trailer.
 */
import { credentials, type ChannelOptions, type ServiceError } from '@grpc/grpc-js';
import { callUnary } from '@tributary/service-common';
import {
  AdminServiceClient,
  BrokerServiceClient,
  ERROR_CODE_TRAILER,
  RecordsFormat,
  type CreateTopicRequest,
  type FetchRequest,
  type ProduceRequest,
  type Record as ProtoRecord,
} from '@tributary/proto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker } from '../start-broker';
import type { RunningBroker, StartBrokerOptions } from '../broker-options';


/** Calls a generated unary method by name, as a promise. */
export const call = callUnary;

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
  const options: StartBrokerOptions = { dataDir: dir, port: 0, metricsPort: 0, controllerPort: 0, config, logLevel: 'silent' };
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

/** Typed shortcuts for the calls tests make most. */
export function rpc(t: TestBroker) {
  return {
    createTopic: (name: string, numPartitions = 1, configs: Record<string, string> = {}, extra: Partial<CreateTopicRequest> = {}) =>
      call(t.admin, 'createTopic', {
        name,
        numPartitions,
        replicationFactor: 0,
        configs,
        ifNotExists: false,
        validateOnly: false,
        ...extra,
      }),
    produceBatch: (topic: string, partition: number, recordBatch: Buffer, acks = 1) =>
      call(t.data, 'produce', { topic, partition, acks, timeoutMs: 30_000, recordBatch, records: [] }),
    produceRecords: (topic: string, partition: number, records: Partial<ProtoRecord>[], extra: Partial<ProduceRequest> = {}) =>
      call(t.data, 'produce', {
        topic,
        partition,
        acks: 1,
        timeoutMs: 30_000,
        recordBatch: Buffer.alloc(0),
        records: records.map((r) => ({ headers: [], timestamp: 0, offset: 0, timestampType: 0, ...r })),
        ...extra,
      }),
    fetch: (partitions: { topic: string; partition: number; fetchOffset: number; partitionMaxBytes?: number }[], options: Partial<FetchRequest> = {}) =>
      call(t.data, 'fetch', {
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: 0,
        format: RecordsFormat.DECODED,
        ...options,
        partitions: partitions.map((p) => ({ partitionMaxBytes: 0, ...p })),
      }),
    logEndOffset: async (topic: string, partition: number): Promise<number> => {
      const response = await call(t.data, 'listOffsets', { partitions: [{ topic, partition, timestamp: -1 }] });
      return response.partitions[0].offset;
    },
  };
}
