import { Inject, Injectable } from '@nestjs/common';
import { encodeRecordBatch, compressionTypeFromName, splitBatches, TributaryError } from '@tributary/protocol';
import type { ProduceRequest, ProduceResponse, Record as ProtoRecord } from '@tributary/proto';
import type { Logger } from 'pino';
import { BROKER_LOGGER } from './broker-logger';
import { BrokerMetrics } from './broker-metrics';
import { PartitionResolver, type ResolvedPartition } from './partition-resolver';
import { RecordSchemaValidator } from './record-schema-validator';
import { ReplicaManager } from './replication/replica-manager';

const ACKS_ALLOWED = new Set([0, 1, -1]);

/**
 * Appends a Produce call to one partition. Raw batches go to the log as received (the log checks
 * structure and CRC, assigns offsets, applies idempotent-producer checks); structured records are
 * first encoded into one batch with the topic's compression. Topics with key/value.schema.validation
 * have every record's schema id checked first. Nothing is appended when any check fails.
 */
@Injectable()
export class ProduceService {
  constructor(
    @Inject(PartitionResolver) private readonly partitions: PartitionResolver,
    @Inject(BrokerMetrics) private readonly metrics: BrokerMetrics,
    @Inject(BROKER_LOGGER) private readonly logger: Logger,
    @Inject(ReplicaManager) private readonly replicas: ReplicaManager,
    @Inject(RecordSchemaValidator) private readonly schemas: RecordSchemaValidator,
  ) {}

  async produce(request: ProduceRequest): Promise<ProduceResponse> {
    if (!ACKS_ALLOWED.has(request.acks)) {
      throw new TributaryError('INVALID_REQUIRED_ACKS', `acks=${request.acks} is not allowed; use 0, 1 or -1 (all)`);
    }
    const hasBatches = request.recordBatch.length > 0;
    const hasRecords = request.records.length > 0;
    if (hasBatches === hasRecords) {
      throw new TributaryError(
        'INVALID_REQUEST',
        hasBatches
          ? 'a Produce call carries either record_batch or records, not both'
          : 'a Produce call needs records: set record_batch (RecordBatch v2 bytes) or records',
      );
    }
    const target = await this.partitions.resolve(request.topic, request.partition, { autoCreate: true });
    const batches = hasBatches ? request.recordBatch : this.encodeRecords(request, target);
    const maxMessageBytes = target.config.maxMessageBytes;
    // Framing is checked here (CORRUPT_MESSAGE on cut-short bytes) to size each batch; the log checks CRCs.
    for (const batch of splitBatches(batches)) {
      if (batch.length > maxMessageBytes) {
        throw new TributaryError(
          'RECORD_TOO_LARGE',
          `a record batch of ${batch.length} bytes exceeds max.message.bytes=${maxMessageBytes} of topic ${request.topic}; ` +
            'send smaller batches or raise the topic config',
        );
      }
    }
    await this.schemas.validate(request.topic, batches, target.config);
    const minInsyncReplicas = target.config.minInsyncReplicas;
    const append = this.replicas.appendAsLeader(target.replica, target.log, batches, {
      acks: request.acks,
      minInsyncReplicas,
      logAppendTimeMs: target.config.messageTimestampType === 'LogAppendTime' ? Date.now() : undefined,
    });
    if (request.acks === 0) {
      // acks=0 answers before the append; a failure can only be logged.
      append.catch((error: unknown) => this.logger.warn({ err: error, partition: target.key }, 'acks=0 append failed'));
      return { baseOffset: -1, logAppendTimeMs: -1, logStartOffset: target.log.logStartOffset, recordCount: 0 };
    }
    const info = await append;
    // acks=all: answered once every in-sync replica has the batch (a retried duplicate too: it may not have been replicated yet).
    if (request.acks === -1) await this.replicas.awaitReplication(target.replica, info.lastOffset + 1, minInsyncReplicas, request.timeoutMs);
    if (!info.duplicate) {
      this.metrics.producedBytes.inc({ topic: request.topic }, batches.length);
      this.metrics.producedRecords.inc({ topic: request.topic }, info.recordCount);
    }
    return {
      baseOffset: info.firstOffset,
      logAppendTimeMs: target.config.messageTimestampType === 'LogAppendTime' ? info.logAppendTimeMs : -1,
      logStartOffset: info.logStartOffset,
      recordCount: info.recordCount,
    };
  }

  private encodeRecords(request: ProduceRequest, target: ResolvedPartition): Buffer {
    const now = Date.now();
    const compression = target.config.compressionType;
    return encodeRecordBatch(request.records.map((record) => toBatchRecord(record, now)), {
      compression: compression === 'producer' ? undefined : compressionTypeFromName(compression),
      producerId: request.producerId,
      producerEpoch: request.producerEpoch,
      baseSequence: request.baseSequence,
    });
  }
}

function toBatchRecord(record: ProtoRecord, now: number) {
  return {
    key: record.key ?? null,
    value: record.value ?? null,
    headers: record.headers.map((header) => ({ key: header.key, value: header.value ?? null })),
    timestamp: record.timestamp === 0 ? now : record.timestamp,
  };
}
