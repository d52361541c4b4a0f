/**
 * The segments of a partition log, ordered by base offset; the last one is active (the only
 * one appended to). Never empty once the log is open.
 */
import { TributaryError } from '@tributary/protocol';
import { lastAtOrBelow } from './offset-index';
import { Segment } from './segment';

export class SegmentSet {
  private segments: Segment[] = [];
  private baseOffsets: number[] = [];

  get length(): number {
    return this.segments.length;
  }

  get active(): Segment {
    return this.at(this.segments.length - 1);
  }

  get first(): Segment {
    return this.at(0);
  }

  /** A copy, oldest first. */
  all(): Segment[] {
    return [...this.segments];
  }

  /** The segment that would hold `offset` and every later one. */
  from(offset: number): Segment[] {
    return this.segments.slice(Math.max(0, lastAtOrBelow(this.baseOffsets, offset)));
  }

  totalBytes(): number {
    return this.segments.reduce((sum, s) => sum + s.sizeBytes, 0);
  }

  /** Adds a segment after every existing one. */
  add(segment: Segment): void {
    const last = this.segments[this.segments.length - 1];
    if (last !== undefined && segment.baseOffset < last.nextOffset) {
      throw new TributaryError('KAFKA_STORAGE_ERROR', `segment ${segment.baseOffset} overlaps segment ${last.baseOffset} ending at ${last.nextOffset}`);
    }
    this.segments.push(segment);
    this.baseOffsets.push(segment.baseOffset);
  }

  remove(segment: Segment): void {
    const i = this.segments.indexOf(segment);
    this.segments.splice(i, 1);
    this.baseOffsets.splice(i, 1);
  }

  replace(old: Segment, replacement: Segment): void {
    this.segments[this.segments.indexOf(old)] = replacement;
  }

  private at(i: number): Segment {
    const segment = this.segments[i];
    if (segment === undefined) throw new TributaryError('KAFKA_STORAGE_ERROR', 'the log has no segments; it was closed or deleted');
    return segment;
  }
}
