import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode, type ListOffsetsPartition, type ListOffsetsPartitionResponse } from '@tributary/proto';
import { asTributaryError } from '@tributary/service-common';
import { PartitionResolver } from './partition-resolver';

/** Kafka's special ListOffsets timestamps. */
export const LATEST_TIMESTAMP = -1;
export const EARLIEST_TIMESTAMP = -2;
export const MAX_TIMESTAMP = -3;

/** Answers ListOffsets per partition: errors are per partition, never for the whole call. */
@Injectable()
export class ListOffsetsService {
  constructor(@Inject(PartitionResolver) private readonly partitions: PartitionResolver) {}

  async listOffsets(wanted: readonly ListOffsetsPartition[]): Promise<ListOffsetsPartitionResponse[]> {
    return Promise.all(wanted.map((p) => this.lookup(p)));
  }

  private async lookup(wanted: ListOffsetsPartition): Promise<ListOffsetsPartitionResponse> {
    const response: ListOffsetsPartitionResponse = {
      topic: wanted.topic,
      partition: wanted.partition,
      errorCode: ErrorCode.NONE,
      errorMessage: '',
      offset: -1,
      timestamp: -1,
    };
    try {
      const { log, replica } = await this.partitions.resolve(wanted.topic, wanted.partition, { autoCreate: false });
      if (wanted.timestamp === LATEST_TIMESTAMP) {
        // What consumers can read up to: records past the high watermark may still be lost.
        response.offset = replica.highWatermark;
      } else if (wanted.timestamp === EARLIEST_TIMESTAMP) {
        response.offset = log.logStartOffset;
      } else {
        const found = wanted.timestamp === MAX_TIMESTAMP ? await log.maxTimestampOffset() : await log.offsetForTimestamp(wanted.timestamp);
        if (found) {
          response.offset = found.offset;
          response.timestamp = found.timestamp;
        }
      }
    } catch (error) {
      const domain = asTributaryError(error);
      response.errorCode = ErrorCode[domain.code];
      response.errorMessage = `${domain.code}: ${domain.message}`;
    }
    return response;
  }
}
