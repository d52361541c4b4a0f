import { NodeFileSystem } from '@tributary/node-io';
import { joinPath } from './file-system';
import { DEFAULT_LOG_CONFIG, LogConfig } from './log-config';
import { PartitionLog } from './partition-log';
import { ProducerEntry } from './producer-state';
import { ProducerStateSnapshot } from './producer-state-snapshot';
import { FaultyFileSystem } from './testing/faulty-file-system';
import { TempLogDir } from './testing/temp-log-dir';
import { filledBatch } from './testing/test-batches';

describe('ProducerStateSnapshot', () => {
  const entries: ProducerEntry[] = [
    {
      producerId: 2 ** 40 + 3,
      epoch: 7,
      batches: Array.from({ length: 5 }, (_, i) => ({ firstSequence: i * 2, lastSequence: i * 2 + 1, firstOffset: 100 + i * 2, lastOffset: 101 + i * 2, maxTimestamp: 1_700_000_000_000 + i })),
    },
    { producerId: 0, epoch: 0, batches: [{ firstSequence: 2147483647, lastSequence: 0, firstOffset: 5, lastOffset: 6, maxTimestamp: -1 }] },
  ];

  it('encode and decode round-trip every retained batch of every producer', () => {
    expect(ProducerStateSnapshot.decode(ProducerStateSnapshot.encode(110, entries), 110)).toEqual(entries);
    expect(ProducerStateSnapshot.decode(ProducerStateSnapshot.encode(0, []), 0)).toEqual([]);
  });

  it('every flipped bit, every cut and a name naming another offset are refused', () => {
    const bytes = ProducerStateSnapshot.encode(110, entries);
    for (let bit = 0; bit < bytes.length * 8; bit++) {
      const damaged = Buffer.from(bytes);
      damaged[bit >> 3] ^= 0x80 >> (bit & 7);
      expect(() => ProducerStateSnapshot.decode(damaged, 110)).toThrow();
    }
    for (let length = 0; length < bytes.length; length++) expect(() => ProducerStateSnapshot.decode(bytes.subarray(0, length), 110)).toThrow();
    expect(() => ProducerStateSnapshot.decode(bytes, 111)).toThrow('it holds offset 110, not the 111 of its name');
  });
});

describe('PartitionLog producer state snapshots', () => {
  let temp: TempLogDir;
  let fs: FaultyFileSystem;
  const nowMs = 1_700_000_000_000;
  const open = (config: Partial<LogConfig> = {}) =>
    PartitionLog.open({ dir: temp.partition(), fs, clock: () => nowMs, config: { ...DEFAULT_LOG_CONFIG, segmentBytes: 4096, ...config }, name: 'topic-0' });
  const idempotent = (producerId: number, baseSequence: number) => filledBatch(1, 20, nowMs, { producerId, producerEpoch: 0, baseSequence });
  const snapshotOffsets = async () =>
    (await fs.list(temp.partition()))
      .map((n) => ProducerStateSnapshot.parseFileName(n))
      .filter((o): o is number => o !== undefined)
      .sort((a, b) => a - b);
  const statesOf = (log: PartitionLog, producerIds: number[]) => producerIds.map((id) => log.producerState(id));
  const PRODUCERS = [1, 2, 3];

  /** Appends `count` batches, round robin over PRODUCERS, continuing each producer's sequence. */
  async function produce(log: PartitionLog, count: number, sequences = new Map<number, number>()): Promise<Map<number, number>> {
    for (let i = 0; i < count; i++) {
      const producerId = PRODUCERS[i % PRODUCERS.length];
      const sequence = sequences.get(producerId) ?? 0;
      await log.append(idempotent(producerId, sequence));
      sequences.set(producerId, sequence + 1);
    }
    return sequences;
  }

  beforeEach(() => {
    temp = new TempLogDir();
    fs = new FaultyFileSystem(new NodeFileSystem());
  });
  afterEach(() => temp.remove());

  it('a roll snapshots producer state at the new segment’s base offset, and close at the log end', async () => {
    const log = await open();
    await produce(log, 200);
    const rolls = await snapshotOffsets();
    expect(rolls.length).toBe(log.segmentCount - 1);
    await log.close();
    expect(await snapshotOffsets()).toEqual([...rolls, 200]);
  });

  it('an open after an unclean stop loads the latest snapshot (the last roll) and replays only the batches after it', async () => {
    const log = await open();
    await produce(log, 300);
    await log.flush();
    const before = statesOf(log, PRODUCERS);
    const lastRoll = (await snapshotOffsets()).at(-1) as number;
    fs = fs.crash(); // stopped uncleanly (no close)
    const reopened = await open();
    expect(reopened.recovery).toMatchObject({ cleanShutdown: false, producerSnapshotOffset: lastRoll, producerBatchesReplayed: 300 - lastRoll });
    expect(300 - lastRoll).toBeLessThan(300 / 4);
    expect(statesOf(reopened, PRODUCERS)).toEqual(before);
    await reopened.close();
    const clean = await open();
    expect(clean.recovery).toMatchObject({ producerSnapshotOffset: 300, producerBatchesReplayed: 0 });
    expect(statesOf(clean, PRODUCERS)).toEqual(before);
    await clean.close();
  });

  it('a damaged snapshot is deleted with a warning and the next older one is used; with none usable, the whole log is scanned', async () => {
    const log = await open();
    await produce(log, 300);
    const before = statesOf(log, PRODUCERS);
    await log.close();
    const offsets = await snapshotOffsets();
    await fs.flipBit(joinPath(temp.partition(), ProducerStateSnapshot.fileName(300)), 100);

    const fellBack = await open();
    const previous = offsets[offsets.length - 2];
    expect(fellBack.recovery).toMatchObject({ producerSnapshotOffset: previous, producerBatchesReplayed: 300 - previous });
    expect(fellBack.recovery.warnings).toEqual([`topic-0: producer state snapshot ${ProducerStateSnapshot.fileName(300)} is unusable (it fails its CRC check); deleted it`]);
    expect(statesOf(fellBack, PRODUCERS)).toEqual(before);
    await fellBack.close();

    for (const offset of await snapshotOffsets()) await fs.cutFile(joinPath(temp.partition(), ProducerStateSnapshot.fileName(offset)), 3);
    const scanned = await open();
    expect(scanned.recovery).toMatchObject({ producerSnapshotOffset: undefined, producerBatchesReplayed: 300 });
    expect(scanned.recovery.warnings.length).toBe(offsets.length);
    expect(statesOf(scanned, PRODUCERS)).toEqual(before);
    expect(await snapshotOffsets()).toEqual([]);
    await scanned.close();
  });

  it('after an unclean restart a retry of any of the last five batches is still a duplicate with its original offsets, and a gap is still refused', async () => {
    const log = await open();
    const offsets: number[] = [];
    for (let sequence = 0; sequence < 10; sequence++) {
      if (sequence === 7) await log.roll(); // batches 2..6 come from the snapshot, 7..9 from the replay
      offsets.push((await log.append(idempotent(9, sequence))).firstOffset);
    }
    fs = fs.crash(); // stopped uncleanly (no close)
    const reopened = await open();
    expect(reopened.recovery).toMatchObject({ producerSnapshotOffset: 7, producerBatchesReplayed: 3 });
    for (let sequence = 5; sequence < 10; sequence++) {
      expect(await reopened.append(idempotent(9, sequence))).toMatchObject({ firstOffset: offsets[sequence], duplicate: true });
    }
    await expect(reopened.append(idempotent(9, 4))).rejects.toMatchObject({ code: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
    await expect(reopened.append(idempotent(9, 11))).rejects.toMatchObject({ code: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
    expect(await reopened.append(idempotent(9, 10))).toMatchObject({ firstOffset: 10, duplicate: false });
    await reopened.close();
  });

  it('retention deletes the snapshots below the new log start, and a reopen agrees with the live producer state', async () => {
    const log = await open({ segmentBytes: 1024, retentionBytes: 3000, retentionMs: -1 });
    await log.append(idempotent(100, 0)); // a producer whose only batch retention will delete
    const sequences = await produce(log, 100);
    expect(await log.enforceRetention(nowMs)).toBeGreaterThan(0);
    expect((await snapshotOffsets()).every((offset) => offset >= log.logStartOffset)).toBe(true);
    expect(log.producerState(100)).toBeUndefined();
    const live = statesOf(log, PRODUCERS);
    fs = fs.crash(); // stopped uncleanly (no close)
    const reopened = await open({ segmentBytes: 1024, retentionBytes: 3000, retentionMs: -1 });
    expect(reopened.logStartOffset).toBe(log.logStartOffset);
    expect(reopened.producerState(100)).toBeUndefined();
    expect(statesOf(reopened, PRODUCERS)).toEqual(live);
    await produce(reopened, 3, sequences);
    await reopened.close();
  });

  it('truncateTo deletes the snapshots above the new end, so no reopen loads the state of cut batches', async () => {
    const log = await open();
    for (let sequence = 0; sequence < 20; sequence++) {
      if (sequence % 5 === 0) await log.roll();
      await log.append(idempotent(4, sequence));
    }
    await log.truncateTo(12);
    expect(await snapshotOffsets()).toEqual([5, 10]);
    expect(log.producerState(4)).toEqual({ epoch: 0, lastSequence: 11, lastOffset: 11 });
    fs = fs.crash(); // stopped uncleanly (no close)
    const reopened = await open();
    expect(reopened.producerState(4)).toEqual({ epoch: 0, lastSequence: 11, lastOffset: 11 });
    expect((await reopened.append(idempotent(4, 12))).firstOffset).toBe(12);
    await reopened.close();
  });
});
