import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { clusterCommand } from './cluster-command';
import { consumeCommand } from './consume-command';
import { groupsCommand } from './groups-command';
import { perfConsumeCommand } from './perf-consume-command';
import { perfProduceCommand } from './perf-produce-command';
import { produceCommand } from './produce-command';
import { schemasCommand } from './schemas-command';
import { topicsCommand } from './topics-command';

/** The `tributary` command tree; every command answers --version, as Kafka's tools do. */
export function program(): Command {
  const { version } = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
  const versioned = (command: Command) => command.version(version, '--version', 'print the version and exit');
  const perf = new Command('perf')
    .description('Producer and consumer performance tests')
    .addCommand(versioned(perfProduceCommand()))
    .addCommand(versioned(perfConsumeCommand()));
  return versioned(new Command('tributary'))
    .description('Tributary command line: topics, produce, consume, groups, perf, cluster (mirrors Kafka\'s tools)')
    .addCommand(versioned(topicsCommand()))
    .addCommand(versioned(produceCommand()))
    .addCommand(versioned(consumeCommand()))
    .addCommand(versioned(groupsCommand()))
    .addCommand(perf)
    .addCommand(versioned(schemasCommand()))
    .addCommand(clusterCommand(versioned));
}
