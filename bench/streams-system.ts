import { LatencyHistogram } from './latency-histogram';

/** One run of the workload: the same records, in order, into one partition / stream. */
export interface WorkloadSpec {
  /** Topic or stream key, fresh for each run. */
  name: string;
  recordCount: number;
  /** The value of every record (the key is null / absent). */
  payload: Buffer;
}

export interface ThroughputResult {
  recordCount: number;
  /** Value bytes only, the same for both systems; protocol and storage overheads excluded. */
  payloadBytes: number;
  elapsedMs: number;
}

export interface ProduceResult extends ThroughputResult {
  /** Per record: from handing it to the client until its acknowledgement arrived. */
  ackLatency: LatencyHistogram;
}

export interface EndToEndSpec {
  name: string;
  ratePerSec: number;
  durationMs: number;
  payload: Buffer;
}

export interface EndToEndResult {
  recordCount: number;
  /** Per record: from handing it to the producer until a running consumer received it. */
  latency: LatencyHistogram;
}

/** A system under test, as the benchmark drives it. */
export interface StreamsSystem {
  readonly name: string;
  /** Produce as fast as one producer can, waiting for every acknowledgement. */
  produce(spec: WorkloadSpec): Promise<ProduceResult>;
  /** Read back, from the beginning, every record `produce` wrote for the same spec. */
  consume(spec: WorkloadSpec): Promise<ThroughputResult>;
  /** Produce at a fixed modest rate while a consumer tails the same partition / stream. */
  endToEnd(spec: EndToEndSpec): Promise<EndToEndResult>;
  /** Free what `produce` stored, so runs do not pile up in memory. */
  drop(name: string): Promise<void>;
  close(): Promise<void>;
}
