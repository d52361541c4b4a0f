import { MetadataImage, encodeMetadataRecord } from '@tributary/metadata';
import type { StateMachine } from '@tributary/raft-node';
import type { Entry } from '@tributary/raft';
import { decodeMetadataBatch, decodeMetadataSnapshot, encodeMetadataSnapshot, splitMetadataBatch } from './metadata-batch-codec';

/** What a FetchMetadata follower receives: a batch after `offset - 1`, or the whole image at `offset`. */
export interface MetadataDelta {
  /** The metadata offset (Raft index of the batch) the follower is at after applying this. */
  offset: number;
  isSnapshot: boolean;
  /** Records in encodeMetadataRecord's encoding. */
  records: Buffer[];
}

export type MetadataListener = (delta: MetadataDelta) => void;

/**
 * The controller's Raft state machine: each committed entry is a metadata batch applied to an
 * immutable MetadataImage, all or nothing (a batch that does not apply stops the Raft node: the
 * log is corrupt or a bug wrote it). It also keeps the last `retainedBatchesMax` batches so
 * followers of the metadata log can catch up from an offset without a snapshot, and tells
 * listeners about each change as it applies.
 */
export class MetadataLogState implements StateMachine {
  private current = MetadataImage.EMPTY;
  private appliedOffset = 0;
  /** Batches after `retainedFrom`, oldest first. */
  private readonly tail: MetadataDelta[] = [];
  private retainedFrom = 0;
  private readonly listeners = new Set<MetadataListener>();

  constructor(private readonly retainedBatchesMax: number) {}

  get image(): MetadataImage {
    return this.current;
  }

  /** The Raft index of the last metadata batch applied (0: none). */
  get offset(): number {
    return this.appliedOffset;
  }

  apply(entry: Entry): void {
    const records = decodeMetadataBatch(entry.data);
    this.current = this.current.apply(records);
    this.appliedOffset = entry.index;
    const delta = { offset: entry.index, isSnapshot: false, records: splitMetadataBatch(entry.data) };
    this.tail.push(delta);
    if (this.tail.length > this.retainedBatchesMax) this.retainedFrom = (this.tail.shift() as MetadataDelta).offset;
    for (const listener of this.listeners) listener(delta);
  }

  snapshot(): Uint8Array {
    return encodeMetadataSnapshot(this.appliedOffset, this.current.toRecords());
  }

  restore(data: Uint8Array): void {
    const { offset, records } = decodeMetadataSnapshot(data);
    this.current = MetadataImage.EMPTY.apply(records);
    this.appliedOffset = offset;
    this.tail.length = 0;
    this.retainedFrom = offset;
    const delta = this.snapshotDelta();
    for (const listener of this.listeners) listener(delta);
  }

  /**
   * Calls `listener` with what a follower at `fromOffset` lacks — a snapshot when that is no
   * longer retained, else the retained batches after it — and then with every change as it
   * applies, until the returned function is called.
   */
  follow(fromOffset: number, listener: MetadataListener): () => void {
    if (fromOffset < this.retainedFrom) listener(this.snapshotDelta());
    else for (const delta of this.tail) if (delta.offset > fromOffset) listener(delta);
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private snapshotDelta(): MetadataDelta {
    return { offset: this.appliedOffset, isSnapshot: true, records: this.current.toRecords().map(encodeMetadataRecord) };
  }
}
