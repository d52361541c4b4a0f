import { Inject, Injectable } from '@nestjs/common';
import { TributaryError } from '@tributary/protocol';
import { ClusterMetadata } from './cluster-metadata';

/** Kafka's epochs are int16; past this a producer gets a fresh id. */
const PRODUCER_EPOCH_MAX = 32_767;

/**
 * Hands out producer ids for InitProducerId from blocks the controller allocates as
 * ProducerIdsRecords in the metadata log: a block is durable before any id of it is given out,
 * so no id is ever given twice, even across crashes (unused ids of a block are skipped).
 */
@Injectable()
export class ProducerIdManager {
  private nextId = 0;
  private blockEnd = 0;

  constructor(@Inject(ClusterMetadata) private readonly metadata: ClusterMetadata) {}

  /** A new id at epoch 0, or the same id at the next epoch when the caller passes its current pair. */
  async initProducerId(current: { producerId?: number; producerEpoch?: number }): Promise<{ producerId: number; producerEpoch: number }> {
    const { producerId = -1, producerEpoch = -1 } = current;
    if (producerId >= 0 !== producerEpoch >= 0) {
      throw new TributaryError('INVALID_REQUEST', 'set both producer_id and producer_epoch to bump an epoch, or neither for a new producer');
    }
    if (producerId >= 0 && producerEpoch < PRODUCER_EPOCH_MAX) {
      if (producerId >= this.metadata.image.nextProducerId) {
        throw new TributaryError('UNKNOWN_PRODUCER_ID', `producer id ${producerId} was never handed out by this cluster; ask for a new one`);
      }
      return { producerId, producerEpoch: producerEpoch + 1 };
    }
    return { producerId: await this.nextProducerId(), producerEpoch: 0 };
  }

  private async nextProducerId(): Promise<number> {
    while (this.nextId >= this.blockEnd) {
      const block = await this.metadata.allocateProducerIds();
      // Another call may have taken a block meanwhile; use whichever is newer.
      if (block.firstProducerId >= this.blockEnd) {
        this.nextId = block.firstProducerId;
        this.blockEnd = block.firstProducerId + block.blockSize;
      }
    }
    return this.nextId++;
  }
}
