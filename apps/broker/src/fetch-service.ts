import { Inject, Injectable } from '@nestjs/common';
import {
  ErrorCode,
  RecordsFormat,
  TimestampType,
  type FetchPartition,
  type FetchPartitionResponse,
  type FetchRequest,
  type FetchResponse,
  type Record as ProtoRecord,
} from '@tributary/proto';
import { ATTRIBUTE_LOG_APPEND_TIME, decodeRecordBatches, TributaryError } from '@tributary/protocol';
import { AppendNotifier } from './append-notifier';
import { asTributaryError } from '@tributary/service-common';
import { BrokerMetrics } from './broker-metrics';
import { PartitionResolver } from './partition-resolver';

/** Kafka's max.partition.fetch.bytes default, used when a partition asks for 0. */
export const DEFAULT_PARTITION_MAX_BYTES = 1024 * 1024;
/** Kafka's fetch.max.bytes default, used when a request asks for 0. */
export const DEFAULT_FETCH_MAX_BYTES = 50 * 1024 * 1024;
const EMPTY = Buffer.alloc(0);

interface PartitionRead {
  response: FetchPartitionResponse;
  /** High watermark seen before the read: a later change means new data to look at. */
  highWatermarkBefore: number;
}

/**
 * Reads the partitions of a Fetch call from their leader, long-polling as Kafka does: answer at
 * once when min_bytes are there (or any partition has an error), else sleep until the high
 * watermark of one of the partitions moves or max_wait_ms passes, and read again. Consumers see
 * only what is below the high watermark: records every in-sync replica has.
 */
@Injectable()
export class FetchService {
  constructor(
    @Inject(PartitionResolver) private readonly partitions: PartitionResolver,
    @Inject(AppendNotifier) private readonly appendNotifier: AppendNotifier,
    @Inject(BrokerMetrics) private readonly metrics: BrokerMetrics,
  ) {}

  async fetch(request: FetchRequest, cancelled: AbortSignal): Promise<FetchResponse> {
    const keys = request.partitions.map((p) => this.partitions.key(p.topic, p.partition));
    const reads = await this.appendNotifier.longPoll(keys, request.maxWaitMs, cancelled, {
      // Only the first read may auto-create a topic: a topic deleted while the fetch waits stays deleted.
      read: (round) => this.readAll(request, round === 0),
      satisfied: (done) =>
        done.reduce((sum, read) => sum + read.response.recordBatches.length, 0) >= request.minBytes || done.some((read) => read.response.errorCode !== ErrorCode.NONE),
      movedSince: (done) => done.some((read) => this.currentHighWatermark(read.response) !== read.highWatermarkBefore),
    });
    return { partitions: reads.map((read, i) => this.finish(read.response, request.format, request.partitions[i].fetchOffset)) };
  }

  private async readAll(request: FetchRequest, autoCreate: boolean): Promise<PartitionRead[]> {
    let budgetBytes = request.maxBytes > 0 ? request.maxBytes : DEFAULT_FETCH_MAX_BYTES;
    const reads: PartitionRead[] = [];
    for (const wanted of request.partitions) {
      const read = await this.readPartition(wanted, budgetBytes, reads.every((r) => r.response.recordBatches.length === 0), autoCreate);
      budgetBytes -= read.response.recordBatches.length;
      reads.push(read);
    }
    return reads;
  }

  private async readPartition(wanted: FetchPartition, budgetBytes: number, firstWithData: boolean, autoCreate: boolean): Promise<PartitionRead> {
    const response: FetchPartitionResponse = {
      topic: wanted.topic,
      partition: wanted.partition,
      errorCode: ErrorCode.NONE,
      errorMessage: '',
      highWatermark: -1,
      logStartOffset: -1,
      recordBatches: EMPTY,
      records: [],
    };
    let highWatermarkBefore = -1;
    try {
      const { log, replica } = await this.partitions.resolve(wanted.topic, wanted.partition, { autoCreate });
      highWatermarkBefore = replica.highWatermark;
      response.highWatermark = replica.highWatermark;
      response.logStartOffset = log.logStartOffset;
      if (wanted.fetchOffset < log.logStartOffset || wanted.fetchOffset > log.logEndOffset) {
        throw new TributaryError(
          'OFFSET_OUT_OF_RANGE',
          `fetch offset ${wanted.fetchOffset} is outside the log of ${wanted.topic}-${wanted.partition}, ` +
            `which holds offsets [${log.logStartOffset}, ${log.logEndOffset}); seek within that range`,
        );
      }
      const partitionMaxBytes = wanted.partitionMaxBytes > 0 ? wanted.partitionMaxBytes : DEFAULT_PARTITION_MAX_BYTES;
      const maxBytes = Math.min(partitionMaxBytes, budgetBytes);
      // The first partition with data returns at least one batch even past max_bytes, so a
      // consumer never stalls on a batch larger than its limits (Kafka's KIP-74).
      if (maxBytes > 0 || firstWithData) {
        const { batches } = await log.read(wanted.fetchOffset, Math.max(maxBytes, firstWithData ? 1 : 0), { maxOffset: highWatermarkBefore });
        response.recordBatches = batches;
      }
    } catch (error) {
      const domain = asTributaryError(error);
      response.errorCode = ErrorCode[domain.code];
      response.errorMessage = `${domain.code}: ${domain.message}`;
    }
    return { response, highWatermarkBefore };
  }

  private currentHighWatermark(response: FetchPartitionResponse): number {
    return this.partitions.highWatermark(response.topic, response.partition);
  }

  private finish(response: FetchPartitionResponse, format: RecordsFormat, fetchOffset: number): FetchPartitionResponse {
    this.metrics.fetchedBytes.inc({ topic: response.topic }, response.recordBatches.length);
    if (format === RecordsFormat.RAW_BATCHES || response.recordBatches.length === 0) return response;
    return { ...response, recordBatches: EMPTY, records: decodeRecords(response.recordBatches, fetchOffset) };
  }
}

function decodeRecords(batches: Buffer, fetchOffset: number): ProtoRecord[] {
  const records: ProtoRecord[] = [];
  for (const batch of decodeRecordBatches(batches)) {
    const logAppendTime = (batch.header.attributes & ATTRIBUTE_LOG_APPEND_TIME) !== 0;
    for (const record of batch.records) {
      if (record.offset < fetchOffset) continue;
      records.push({
        key: record.key ?? undefined,
        value: record.value ?? undefined,
        headers: record.headers.map((header) => ({ key: header.key, value: header.value ?? undefined })),
        timestamp: logAppendTime ? batch.header.maxTimestamp : record.timestamp,
        offset: record.offset,
        timestampType: logAppendTime ? TimestampType.LOG_APPEND_TIME : TimestampType.CREATE_TIME,
      });
    }
  }
  return records;
}
