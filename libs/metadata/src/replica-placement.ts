/**
 * Replica placement as Kafka's AdminUtils.assignReplicasToBrokers does it. Rack-unaware: the
 * leader of partition p is broker (p + startIndex) mod n, so leaders go round-robin over the
 * brokers; followers follow the leader at a shift that grows every n partitions, so the
 * replicas of one broker's partitions spread over all the others. Rack-aware (every broker has
 * a rack): the same walk over a broker list that alternates racks, taking a follower only from
 * a rack without a replica of the partition yet (while such racks remain).
 */
import { TributaryError } from '@tributary/protocol';

export interface PlacementBroker {
  readonly id: number;
  readonly rack: string | null;
}

export interface PlacementRequest {
  readonly brokers: readonly PlacementBroker[];
  readonly numPartitions: number;
  readonly replicationFactor: number;
  /** The partition number of the first partition placed (the existing count when adding). */
  readonly firstPartition?: number;
  /** Index (into the arranged broker list) of the first partition's leader. */
  readonly startIndex?: number;
  /** Initial follower shift. */
  readonly nextReplicaShift?: number;
}

/** Returns replicas per partition (leader first), for partitions firstPartition.. in order. */
export function placeReplicas(request: PlacementRequest): number[][] {
  const { brokers, numPartitions, replicationFactor } = request;
  if (replicationFactor < 1) throw new TributaryError('INVALID_REPLICATION_FACTOR', `Replication factor must be at least 1, got ${replicationFactor}`);
  if (replicationFactor > brokers.length) {
    throw new TributaryError(
      'INVALID_REPLICATION_FACTOR',
      `Replication factor ${replicationFactor} is larger than the ${brokers.length} available broker(s)`,
    );
  }
  if (new Set(brokers.map((b) => b.id)).size !== brokers.length) {
    throw new TributaryError('INVALID_REQUEST', `Broker ids for placement are not unique: ${brokers.map((b) => b.id).join(',')}`);
  }
  const rackAware = isRackAware(brokers);
  const arranged = arrangeBrokers(brokers);
  const n = arranged.length;
  const firstPartition = request.firstPartition ?? 0;
  const startIndex = mod(request.startIndex ?? 0, n);
  let shift = mod(request.nextReplicaShift ?? startIndex, n);
  const racks = new Set(arranged.map((b) => b.rack));
  const result: number[][] = [];
  for (let i = 0; i < numPartitions; i++) {
    const p = firstPartition + i;
    if (p > 0 && p % n === 0) shift += 1;
    const first = (p + startIndex) % n;
    if (!rackAware) {
      const replicas = [arranged[first].id];
      for (let j = 0; j < replicationFactor - 1; j++) replicas.push(arranged[replicaIndex(first, shift, j, n)].id);
      result.push(replicas);
      continue;
    }
    const leader = arranged[first];
    const replicas = [leader.id];
    const usedRacks = new Set([leader.rack]);
    const usedBrokers = new Set([leader.id]);
    let k = 0;
    while (replicas.length < replicationFactor) {
      const candidate = arranged[replicaIndex(first, shift * racks.size, k, n)];
      k += 1;
      const rackOk = !usedRacks.has(candidate.rack) || usedRacks.size === racks.size;
      // Every rack used: now any broker without a replica will do.
      if (rackOk && !usedBrokers.has(candidate.id)) {
        replicas.push(candidate.id);
        usedRacks.add(candidate.rack);
        usedBrokers.add(candidate.id);
      }
    }
    result.push(replicas);
  }
  return result;
}

function replicaIndex(first: number, shift: number, j: number, n: number): number {
  return (first + 1 + ((shift + j) % (n - 1))) % n;
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

function isRackAware(brokers: readonly PlacementBroker[]): boolean {
  return brokers.every((b) => b.rack !== null);
}

/**
 * The broker order placement walks: by id, or alternating racks when every broker has one.
 * `startIndex` indexes this list (adding partitions continues from partition 0's leader here).
 */
export function arrangeBrokers(brokers: readonly PlacementBroker[]): PlacementBroker[] {
  return isRackAware(brokers) ? alternateRacks(brokers) : [...brokers].sort((a, b) => a.id - b.id);
}

/** Brokers ordered rack by rack in turn (racks and brokers sorted), e.g. a1 b1 c1 a2 b2 c2. */
function alternateRacks(brokers: readonly PlacementBroker[]): PlacementBroker[] {
  const byRack = new Map<string, PlacementBroker[]>();
  for (const b of [...brokers].sort((x, y) => x.id - y.id)) {
    const rack = b.rack as string;
    const list = byRack.get(rack) ?? [];
    list.push(b);
    byRack.set(rack, list);
  }
  const lists = [...byRack.keys()].sort().map((r) => byRack.get(r) as PlacementBroker[]);
  const out: PlacementBroker[] = [];
  for (let i = 0; out.length < brokers.length; i++) {
    for (const list of lists) if (i < list.length) out.push(list[i]);
  }
  return out;
}
