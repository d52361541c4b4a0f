/**
 * Seeded random operations on a PartitionLog checked against a plain in-memory model (an array
 * of batches). Prints SEED=… on failure; replay with `SEED=… npx jest -c libs/storage/jest.config.js partition-log.random`.
 */
import { NodeFileSystem } from '@tributary/node-io';
import { decodeRecordBatches } from '@tributary/protocol';
import { DEFAULT_LOG_CONFIG, LogConfig } from './log-config';
import { PartitionLog } from './partition-log';
import { FaultyFileSystem } from './testing/faulty-file-system';
import { SeededRandom } from './testing/seeded-random';
import { TempLogDir } from './testing/temp-log-dir';
import { testBatch } from './testing/test-batches';

interface ModelBatch {
  baseOffset: number;
  values: string[];
  timestampMs: number;
  leaderEpoch: number;
  producer?: { epoch: number; firstSequence: number };
}

const PRODUCER_ID = 42;
const OPERATIONS = 400;

describe('PartitionLog against a model', () => {
  let temp: TempLogDir;
  beforeEach(() => (temp = new TempLogDir()));
  afterEach(() => temp.remove());

  for (let run = 0; run < 3; run++) {
    it(`random appends (incl. idempotent retries and gaps, and rising leader epochs), reads, rolls, flushes, retention, truncation and clean or unclean reopen agree with the model (run ${run})`, async () => {
      const random = SeededRandom.fromEnv();
      try {
        await simulate(random, temp.partition());
      } catch (e) {
        console.error(`SEED=${random.seed}`);
        throw e;
      }
    });
  }
});

async function simulate(random: SeededRandom, dir: string): Promise<void> {
  let nowMs = 1_700_000_000_000;
  const config: LogConfig = { ...DEFAULT_LOG_CONFIG, segmentBytes: 2000, indexIntervalBytes: 300, retentionMs: 50_000, retentionBytes: -1 };
  let fs = new FaultyFileSystem(new NodeFileSystem());
  const open = () => PartitionLog.open({ dir, fs, clock: () => nowMs, config });
  let log = await open();
  let model: ModelBatch[] = [];
  let logStartOffset = 0;
  let nextSequence = 0;
  let epoch = 0;
  let leaderEpoch = 0;
  const endOffset = () => (model.length === 0 ? logStartOffset : model[model.length - 1].baseOffset + model[model.length - 1].values.length);
  /** The leader epoch cache the model implies: each epoch from its first surviving batch. */
  const epochStarts = () => {
    const starts: { epoch: number; startOffset: number }[] = [];
    for (const b of model) if (b.leaderEpoch > (starts[starts.length - 1]?.epoch ?? -1)) starts.push({ epoch: b.leaderEpoch, startOffset: b.baseOffset });
    return starts;
  };

  for (let step = 0; step < OPERATIONS; step++) {
    nowMs += random.int(0, 2000);
    const op = random.next();
    if (op < 0.45) {
      const values = Array.from({ length: random.int(1, 5) }, (_, i) => `s${step}r${i}-${'x'.repeat(random.int(0, 200))}`);
      const idempotent = random.chance(0.4);
      const producer = idempotent ? { producerId: PRODUCER_ID, producerEpoch: epoch, baseSequence: nextSequence } : undefined;
      if (random.chance(0.1)) leaderEpoch += random.int(1, 3);
      const info = await log.append(testBatch(values.map((value) => ({ value, timestamp: nowMs })), producer), { leaderEpoch });
      expect(info).toMatchObject({ firstOffset: endOffset(), lastOffset: endOffset() + values.length - 1, duplicate: false });
      model.push({ baseOffset: info.firstOffset, values, timestampMs: nowMs, leaderEpoch, producer: idempotent ? { epoch, firstSequence: nextSequence } : undefined });
      if (idempotent) nextSequence += values.length;
    } else if (op < 0.52) {
      const last = [...model].reverse().find((b) => b.producer !== undefined);
      if (last?.producer !== undefined && last.producer.epoch === epoch) {
        const retry = testBatch(last.values.map((value) => ({ value, timestamp: last.timestampMs })), {
          producerId: PRODUCER_ID,
          producerEpoch: epoch,
          baseSequence: last.producer.firstSequence,
        });
        expect(await log.append(retry)).toMatchObject({ firstOffset: last.baseOffset, duplicate: true });
        const gap = testBatch([{ value: 'gap', timestamp: nowMs }], { producerId: PRODUCER_ID, producerEpoch: epoch, baseSequence: nextSequence + 3 });
        await expect(log.append(gap)).rejects.toMatchObject({ code: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
      }
    } else if (op < 0.77) {
      const offset = random.int(logStartOffset, endOffset() + 1);
      const maxBytes = random.int(1, 3000);
      const { batches, nextOffset } = await log.read(offset, maxBytes);
      const decoded = decodeRecordBatches(batches);
      if (offset === endOffset()) {
        expect(decoded).toEqual([]);
      } else {
        const first = model.findIndex((b) => b.baseOffset + b.values.length > offset);
        expect(decoded.length).toBeGreaterThanOrEqual(1);
        decoded.forEach((batch, i) => {
          const expected = model[first + i];
          expect(batch.header.baseOffset).toBe(expected.baseOffset);
          expect(batch.records.map((r) => r.value?.toString())).toEqual(expected.values);
        });
        expect(nextOffset).toBe(model[first + decoded.length - 1].baseOffset + model[first + decoded.length - 1].values.length);
      }
    } else if (op < 0.82) {
      await log.roll();
    } else if (op < 0.87) {
      await log.enforceRetention(nowMs);
      expect(log.logStartOffset).toBeGreaterThanOrEqual(logStartOffset);
      logStartOffset = log.logStartOffset;
      const expired = model.filter((b) => b.baseOffset < logStartOffset);
      expect(expired.every((b) => nowMs - b.timestampMs > config.retentionMs)).toBe(true);
      model = model.filter((b) => b.baseOffset >= logStartOffset);
    } else if (op < 0.9) {
      const offset = random.int(Math.max(0, logStartOffset - 2), endOffset() + 1);
      await log.truncateTo(offset);
      if (offset <= logStartOffset && offset < endOffset()) {
        model = [];
        logStartOffset = offset;
      } else {
        model = model.filter((b) => b.baseOffset + b.values.length <= offset);
      }
      // The producer's state now ends at its last surviving batch: continue with a new epoch.
      epoch++;
      nextSequence = 0;
    } else if (op < 0.92) {
      await log.flush();
      expect(log.recoveryPointOffset).toBe(endOffset());
    } else {
      const producerBefore = log.producerState(PRODUCER_ID);
      if (op < 0.96) {
        await log.close();
        log = await open();
        expect(log.recovery).toMatchObject({ cleanShutdown: true, producerBatchesReplayed: 0 });
      } else {
        // A process crash: the log is abandoned without close; its writes are in the page cache.
        fs = fs.crash();
        log = await open();
        expect(log.recovery).toMatchObject({ cleanShutdown: false, truncation: undefined, warnings: [] });
      }
      expect(log.producerState(PRODUCER_ID)).toEqual(producerBefore);
    }
    expect([log.logStartOffset, log.logEndOffset]).toEqual([logStartOffset, endOffset()]);
    expect(log.leaderEpochCache.entries()).toEqual(epochStarts());
  }
  await log.close();
}
