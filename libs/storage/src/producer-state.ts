/**
 * Idempotent-producer bookkeeping of one partition, as Kafka's ProducerStateManager: per
 * producer id the current epoch and the metadata of its last five batches, so that a retried
 * batch is recognised and answered with its original offsets, and a gap in sequence numbers is
 * refused. The log saves it in snapshot files (producer-state-snapshot.ts) and, when it opens,
 * loads the latest snapshot and replays the batch headers after it.
 */
import { RecordBatchHeader, TributaryError } from '@tributary/protocol';
import { lastOffsetOf } from './segment';

/** Kafka keeps this many batches per producer for duplicate detection (max.in.flight = 5). */
export const PRODUCER_BATCHES_KEPT = 5;
const SEQUENCE_MAX = 0x7fffffff;

export interface ProducerBatchMetadata {
  firstSequence: number;
  lastSequence: number;
  firstOffset: number;
  lastOffset: number;
  maxTimestamp: number;
}

export interface ProducerEntry {
  producerId: number;
  epoch: number;
  /** Oldest first, at most PRODUCER_BATCHES_KEPT. */
  batches: ProducerBatchMetadata[];
}

/** Sequence numbers wrap from Int32 max to 0, as in Kafka. */
function addSequence(sequence: number, increment: number): number {
  return sequence > SEQUENCE_MAX - increment ? increment - (SEQUENCE_MAX - sequence) - 1 : sequence + increment;
}

export function lastSequenceOf(header: RecordBatchHeader): number {
  return addSequence(header.baseSequence, header.lastOffsetDelta);
}

export type SequenceCheck = { kind: 'append' } | { kind: 'duplicate'; original: ProducerBatchMetadata };

export class ProducerState {
  private readonly producers = new Map<number, ProducerEntry>();

  get(producerId: number): ProducerEntry | undefined {
    return this.producers.get(producerId);
  }

  /** Number of producers tracked. */
  get size(): number {
    return this.producers.size;
  }

  /**
   * Checks an incoming batch of an idempotent producer against its state, counting batches of
   * the same request already checked (`pending`). Throws INVALID_PRODUCER_EPOCH or
   * OUT_OF_ORDER_SEQUENCE_NUMBER; a retry of one of the last five batches is a duplicate.
   */
  check(header: RecordBatchHeader, pending?: ProducerEntry): SequenceCheck {
    const entry = pending ?? this.producers.get(header.producerId);
    const firstSequence = header.baseSequence;
    if (entry === undefined) return { kind: 'append' }; // unknown producer (new, or its state expired with retention)
    if (header.producerEpoch < entry.epoch) {
      throw new TributaryError(
        'INVALID_PRODUCER_EPOCH',
        `producer ${header.producerId} sent epoch ${header.producerEpoch} but epoch ${entry.epoch} is current; a newer instance of this producer has fenced this one`,
      );
    }
    if (header.producerEpoch > entry.epoch || entry.batches.length === 0) {
      if (firstSequence !== 0 && header.producerEpoch > entry.epoch) {
        throw new TributaryError(
          'OUT_OF_ORDER_SEQUENCE_NUMBER',
          `producer ${header.producerId} started epoch ${header.producerEpoch} at sequence ${firstSequence}; a new epoch must start at 0`,
        );
      }
      return { kind: 'append' };
    }
    const lastSequence = lastSequenceOf(header);
    const original = entry.batches.find((b) => b.firstSequence === firstSequence && b.lastSequence === lastSequence);
    if (original !== undefined) return { kind: 'duplicate', original };
    const expected = addSequence(entry.batches[entry.batches.length - 1].lastSequence, 1);
    if (firstSequence !== expected) {
      throw new TributaryError(
        'OUT_OF_ORDER_SEQUENCE_NUMBER',
        `producer ${header.producerId} epoch ${header.producerEpoch} sent sequence ${firstSequence} but ${expected} was expected; the producer must resend from ${expected}`,
      );
    }
    return { kind: 'append' };
  }

  /** The entry `header` leads to, without recording it (for checking several batches of one request). */
  static next(previous: ProducerEntry | undefined, header: RecordBatchHeader): ProducerEntry {
    const batch: ProducerBatchMetadata = {
      firstSequence: header.baseSequence,
      lastSequence: lastSequenceOf(header),
      firstOffset: header.baseOffset,
      lastOffset: lastOffsetOf(header),
      maxTimestamp: header.maxTimestamp,
    };
    const kept = previous !== undefined && previous.epoch === header.producerEpoch ? previous.batches : [];
    const batches = [...kept, batch].slice(-PRODUCER_BATCHES_KEPT);
    return { producerId: header.producerId, epoch: header.producerEpoch, batches };
  }

  /** Records a stored batch (appended now, or read back from the log on open). */
  update(header: RecordBatchHeader): void {
    if (header.producerId < 0) return;
    this.producers.set(header.producerId, ProducerState.next(this.producers.get(header.producerId), header));
  }

  entries(): IterableIterator<ProducerEntry> {
    return this.producers.values();
  }

  set(entry: ProducerEntry): void {
    this.producers.set(entry.producerId, entry);
  }

  /** Forgets the producers for which `keep` is false. */
  retainWhere(keep: (entry: ProducerEntry) => boolean): void {
    for (const [producerId, entry] of this.producers) if (!keep(entry)) this.producers.delete(producerId);
  }

  clear(): void {
    this.producers.clear();
  }
}
