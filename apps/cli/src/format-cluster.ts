import type { DescribeClusterResponse, DescribeQuorumResponse } from '@tributary/proto';

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

/** What a broker's DescribeCluster tells: the cluster id, the active controller and the live brokers. */
export function formatBrokerCluster(cluster: DescribeClusterResponse): string {
  const status = fields([
    ['ClusterId', cluster.clusterId],
    ['ControllerId', cluster.controllerId < 0 ? 'none' : String(cluster.controllerId)],
  ]);
  const rows = [
    ['NodeId', 'Endpoint', 'Rack'],
    ...[...cluster.brokers].sort((a, b) => a.nodeId - b.nodeId).map((b) => [String(b.nodeId), `${b.host}:${b.port}`, b.rack ?? '-']),
  ];
  return `${status}\n${table(rows)}`;
}

/** `Name:` padded to one column, as kafka-metadata-quorum.sh aligns its status lines. */
function fields(entries: [string, string][]): string {
  return entries.map(([name, value]) => `${`${name}:`.padEnd(24)}${value}\n`).join('');
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => `${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] + 2))).join('')}\n`).join('');
}
