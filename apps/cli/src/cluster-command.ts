import { Command } from 'commander';
import { Tributary } from '@tributary/client';
import { TributaryError } from '@tributary/protocol';
import { describeQuorum } from './describe-quorum';
import { formatBrokerCluster, formatQuorum } from './format-cluster';

interface DescribeFlags {
  bootstrapController?: string;
  bootstrapServer?: string;
  timeoutMs: number;
}

/** `tributary cluster describe`: the controller quorum (as kafka-metadata-quorum.sh) or what a broker knows, with its under-replicated partitions. */
export function clusterCommand(versioned: (command: Command) => Command): Command {
  return new Command('cluster')
    .description('Describe the cluster: controller quorum, active controller, brokers (as kafka-metadata-quorum.sh)')
    .addCommand(
      versioned(
        new Command('describe')
          .description('Quorum status and brokers from --bootstrap-controller, or cluster id, controller, brokers and under-replicated partitions from --bootstrap-server')
          .option('--bootstrap-controller <host:port[,host:port…]>', 'controllers to ask (any voter answers; the active one is then asked)')
          .option('--bootstrap-server <host:port>', 'a broker to ask instead (quorum details need --bootstrap-controller)')
          .option('--timeout-ms <ms>', 'deadline of each request', (v: string) => Number(v), 10_000)
          .action(async (flags: DescribeFlags) => {
            process.stdout.write(await describe(flags));
          }),
      ),
    );
}

async function describe(flags: DescribeFlags): Promise<string> {
  if (Boolean(flags.bootstrapController) === Boolean(flags.bootstrapServer)) {
    throw new TributaryError('INVALID_REQUEST', 'Only one of --bootstrap-server or --bootstrap-controller must be specified');
  }
  if (!Number.isInteger(flags.timeoutMs) || flags.timeoutMs <= 0) throw new TributaryError('INVALID_CONFIG', '--timeout-ms must be a positive integer');
  if (flags.bootstrapController) {
    const controllers = flags.bootstrapController.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
    return formatQuorum(await describeQuorum(controllers, flags.timeoutMs));
  }
  const admin = new Tributary({ bootstrapServers: flags.bootstrapServer as string, requestTimeoutMs: flags.timeoutMs }).admin();
  try {
    const [cluster, topics] = await Promise.all([admin.describeCluster(), admin.describeTopics()]);
    process.stderr.write('Quorum details (voters, term, commit index, broker epochs and fencing) need --bootstrap-controller.\n');
    return formatBrokerCluster(cluster, topics);
  } finally {
    await admin.close();
  }
}
