import type { BrokerNode, GroupDescription, GroupListing, GroupMember, TopicPartitions } from '@tributary/proto';

/** One row of `--describe` (offsets view): a partition the group committed or a member owns, or a member owning nothing. */
export interface OffsetRow {
  topic: string | null;
  partition: number | null;
  currentOffset: number | null;
  logEndOffset: number | null;
  lag: number | null;
  member: GroupMember | null;
}

/** A partition and the offset --reset-offsets sets it to. */
export interface ResetRow {
  topic: string;
  partition: number;
  offset: number;
}

/**
 * kafka-consumer-groups.sh's tables: a blank line, then columns padded to their widest cell (at
 * least `min`) and separated by one space, as its printf formats do.
 */
function table(header: string[], rows: string[][], min: number[] = []): string {
  const widths = header.map((h, i) => Math.max(min[i] ?? 0, h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]))).join(' ');
  return `\n${[header, ...rows].map(line).join('\n')}\n`;
}

const dash = (value: number | string | null | undefined): string => (value === null || value === undefined || value === '' ? '-' : String(value));

/** Kafka prints group states as GroupState names them: Stable, Empty, Assigning, Reconciling, Dead. */
export function stateName(state: string): string {
  return state.charAt(0) + state.slice(1).toLowerCase();
}

/** The host part of the member's address, as Kafka shows it: /127.0.0.1. */
function host(member: GroupMember): string {
  const address = member.clientHost.replace(/^ipv[46]:/, '');
  const bare = address.startsWith('[') ? address.slice(1, address.indexOf(']')) : address.replace(/:\d+$/, '');
  return bare === '' ? '-' : `/${bare}`;
}

function partitionCount(assignment: TopicPartitions[]): number {
  return assignment.reduce((n, t) => n + t.partitions.length, 0);
}

/** topic(0,1),other(2) as Kafka writes an assignment; - when empty. */
function assignmentText(assignment: TopicPartitions[]): string {
  const parts = assignment.filter((t) => t.partitions.length > 0).map((t) => `${t.topic}(${[...t.partitions].sort((a, b) => a - b).join(',')})`);
  return parts.length > 0 ? parts.join(',') : '-';
}

/** --list --state */
export function formatGroupStates(groups: GroupListing[]): string {
  return table(['GROUP', 'STATE'], groups.map((g) => [g.groupId, stateName(g.state)]));
}

/** --describe (--offsets): GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID */
export function formatOffsets(groupId: string, rows: OffsetRow[]): string {
  return table(
    ['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID'],
    rows.map((r) => [
      groupId,
      dash(r.topic),
      dash(r.partition),
      dash(r.currentOffset),
      dash(r.logEndOffset),
      dash(r.lag),
      dash(r.member?.memberId),
      r.member ? host(r.member) : '-',
      dash(r.member?.clientId),
    ]),
    [0, 0, 10, 15, 15, 15],
  );
}

/** --describe --members (--verbose adds instance ids, epochs and assignments). */
export function formatMembers(group: GroupDescription, verbose: boolean): string {
  const header = verbose
    ? ['GROUP', 'CONSUMER-ID', 'GROUP-INSTANCE-ID', 'HOST', 'CLIENT-ID', '#PARTITIONS', 'CURRENT-EPOCH', 'CURRENT-ASSIGNMENT', 'TARGET-EPOCH', 'TARGET-ASSIGNMENT']
    : ['GROUP', 'CONSUMER-ID', 'HOST', 'CLIENT-ID', '#PARTITIONS'];
  const rows = group.members.map((m) =>
    verbose
      ? [group.groupId, m.memberId, dash(m.instanceId), host(m), dash(m.clientId), String(partitionCount(m.assignment)), String(m.memberEpoch), assignmentText(m.assignment), String(group.assignmentEpoch), assignmentText(m.targetAssignment)]
      : [group.groupId, m.memberId, host(m), dash(m.clientId), String(partitionCount(m.assignment))],
  );
  return table(header, rows, verbose ? [] : [0, 0, 0, 0, 12]);
}

/** --describe --state (--verbose adds the group and target assignment epochs). */
export function formatState(group: GroupDescription, coordinator: BrokerNode, verbose: boolean): string {
  const row = [group.groupId, `${coordinator.host}:${coordinator.port}  (${coordinator.nodeId})`, group.assignor || '-', stateName(group.state), String(group.members.length)];
  const header = ['GROUP', 'COORDINATOR (ID)', 'ASSIGNMENT-STRATEGY', 'STATE', '#MEMBERS'];
  if (!verbose) return table(header, [row], [0, 0, 20, 20]);
  return table([...header, 'GROUP-EPOCH', 'TARGET-ASSIGNMENT-EPOCH'], [[...row, String(group.groupEpoch), String(group.assignmentEpoch)]], [0, 0, 20, 20, 10, 12]);
}

/** --reset-offsets: GROUP TOPIC PARTITION NEW-OFFSET */
export function formatReset(groupId: string, rows: ResetRow[]): string {
  return table(['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET'], rows.map((r) => [groupId, r.topic, String(r.partition), String(r.offset)]), [0, 0, 10]);
}
