import type { DescribeClusterResponse, DescribeQuorumResponse, TopicDescription } from '@tributary/proto';
import { underReplicatedReport } from './under-replicated';

/**
 * A quorum as `kafka-metadata-quorum.sh describe --status` prints it (LeaderEpoch is the Raft
 * term, HighWatermark the commit index; brokers are the quorum's observers), then one row per
 * voter and per registered broker:
 *
 *   ClusterId:              test-cluster
 *   LeaderId:               2
 *   LeaderEpoch:            3
 *   HighWatermark:          17
 *   CurrentVoters:          [1,2,3]
 *   CurrentObservers:       [1,2]
 *
 *   NodeId  Endpoint         Role      State     BrokerEpoch  Rack
 *   1       127.0.0.1:9093   Follower  -         -            -
 *   2       127.0.0.1:9094   Leader    -         -            -
 *   1       127.0.0.1:9092   Broker    Unfenced  5            rack-a
 */
export function formatQuorum(quorum: DescribeQuorumResponse): string {
  const brokers = [...quorum.brokers].sort((a, b) => a.brokerId - b.brokerId);
  const voters = [...quorum.voters].sort((a, b) => a.nodeId - b.nodeId);
  const status = fields([
    ['ClusterId', quorum.clusterId],
    ['LeaderId', quorum.leaderId === 0 ? 'none' : String(quorum.leaderId)],
    ['LeaderEpoch', String(quorum.term)],
    ['HighWatermark', String(quorum.commitIndex)],
    ['CurrentVoters', `[${voters.map((v) => v.nodeId).join(',')}]`],
    ['CurrentObservers', `[${brokers.map((b) => b.brokerId).join(',')}]`],
  ]);
  const rows = [
    ['NodeId', 'Endpoint', 'Role', 'State', 'BrokerEpoch', 'Rack'],
    ...voters.map((v) => [String(v.nodeId), v.address, v.isLeader ? 'Leader' : 'Follower', '-', '-', '-']),
    ...brokers.map((b) => [
      String(b.brokerId),
      b.endpoints.map((e) => `${e.host}:${e.port}`).join(',') || '-',
      'Broker',
      b.fenced ? 'Fenced' : 'Unfenced',
      String(b.brokerEpoch),
      b.rack ?? '-',
    ]),
  ];
  return `${status}\n${table(rows)}`;
}

/**
 * What a broker knows of the cluster: the cluster id, the active controller, the number of
 * under-replicated partitions, the live brokers, then (when there are any) the under-replicated
 * partitions as `topics --describe --under-replicated-partitions` prints them:
 *
 *   ClusterId:                 test-cluster
 *   ControllerId:              1
 *   UnderReplicatedPartitions: 1
 *
 *   NodeId  Endpoint         Rack
 *   1       127.0.0.1:9092   -
 *
 *   Under-replicated partitions:
 *   	Topic: orders	Partition: 0	Leader: 1	Replicas: 1,2	Isr: 1
 */
export function formatBrokerCluster(cluster: DescribeClusterResponse, topics: readonly TopicDescription[]): string {
  const underReplicated = underReplicatedReport(topics);
  const status = fields([
    ['ClusterId', cluster.clusterId],
    ['ControllerId', cluster.controllerId < 0 ? 'none' : String(cluster.controllerId)],
    ['UnderReplicatedPartitions', String(underReplicated.count)],
  ]);
  const rows = [
    ['NodeId', 'Endpoint', 'Rack'],
    ...[...cluster.brokers].sort((a, b) => a.nodeId - b.nodeId).map((b) => [String(b.nodeId), `${b.host}:${b.port}`, b.rack ?? '-']),
  ];
  const partitions = underReplicated.count > 0 ? `\nUnder-replicated partitions:\n${underReplicated.text}` : '';
  return `${status}\n${table(rows)}${partitions}`;
}

/** `Name:` padded to one column, as kafka-metadata-quorum.sh aligns its status lines (wider for a longer name). */
function fields(entries: [string, string][]): string {
  const width = Math.max(24, ...entries.map(([name]) => name.length + 2));
  return entries.map(([name, value]) => `${`${name}:`.padEnd(width)}${value}\n`).join('');
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => `${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] + 2))).join('')}\n`).join('');
}
