/**
 * What a compacted `__consumer_offsets` partition leaves of a log: for every key only its last
 * record, at that record's position; tombstones kept (within delete.retention.ms) or dropped.
 */
import { GroupRecord, encodeGroupRecordKey } from '../group-record';

export function compactLog(log: readonly GroupRecord[], options: { dropTombstones: boolean }): GroupRecord[] {
  const lastIndex = new Map<string, number>();
  log.forEach((r, i) => lastIndex.set(encodeGroupRecordKey(r).toString('hex'), i));
  return log.filter((r, i) => lastIndex.get(encodeGroupRecordKey(r).toString('hex')) === i && !(options.dropTombstones && r.value === null));
}
