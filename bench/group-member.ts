/**
 * One consumer-group member in a process of its own, forked by bench/groups.ts with an IPC
 * channel: `node bench/run.js group-member <bootstrap> <groupId> <topic>`. It exists so that
 * the bench can end a member with SIGKILL, which the client has no call for: no leave, no last
 * commit, its heartbeats just stop, as when a consumer's host dies.
 *
 * It tells its parent what it owns after every change and which offsets it was handed, so the
 * parent sees the whole group's ownership and can tell the re-delivery a death causes from a
 * duplicate or a gap.
 */
import { Tributary, type TopicPartition } from '@tributary/client';

/** A message from the member to its parent. */
export type MemberReport = { owned: number[] } | { delivered: { partition: number; offsets: number[] } };

const [bootstrapServers, groupId, topic] = process.argv.slice(2);
if (!process.send || !topic) {
  console.error('usage: node bench/run.js group-member <bootstrap> <groupId> <topic> (forked by bench/groups.ts, with an IPC channel)');
  process.exit(2);
}
const send = (report: MemberReport): void => void process.send?.(report);
const partitionsOf = (partitions: TopicPartition[]) => partitions.map((tp) => tp.partition);

const consumer = new Tributary({ bootstrapServers }).consumer({ autoOffsetReset: 'earliest' });
consumer.subscribe({
  groupId,
  topics: [topic],
  onPartitionsAssigned: () => send({ owned: partitionsOf(consumer.assignment()) }),
  // Reported as given up before the consumer drops them: no other member can get them before this returns.
  onPartitionsRevoked: (revoked) => {
    const gone = new Set(partitionsOf(revoked));
    send({ owned: partitionsOf(consumer.assignment()).filter((p) => !gone.has(p)) });
  },
});
consumer
  .run({ eachBatch: (batch) => send({ delivered: { partition: batch.partition, offsets: batch.records.map((r) => r.offset) } }) })
  .catch((error: Error) => {
    console.error(`group-member: ${error.stack ?? error.message}`);
    process.exit(1);
  });
// The parent went away without killing it (it crashed): a member nobody watches is of no use.
process.on('disconnect', () => process.exit(0));
