import { Command } from 'commander';
import { consumeCommand } from './consume-command';
import { perfConsumeCommand } from './perf-consume-command';
import { perfProduceCommand } from './perf-produce-command';
import { produceCommand } from './produce-command';
import { topicsCommand } from './topics-command';

/** The `tributary` command tree. */
export function program(): Command {
  const perf = new Command('perf')
    .description('Producer and consumer performance tests')
    .addCommand(perfProduceCommand())
    .addCommand(perfConsumeCommand());
  return new Command('tributary')
    .description('Tributary command line: topics, produce, consume, perf (mirrors Kafka\'s tools)')
    .addCommand(topicsCommand())
    .addCommand(produceCommand())
    .addCommand(consumeCommand())
    .addCommand(perf);
}
