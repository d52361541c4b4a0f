import { TributaryError } from '@tributary/protocol';
import { readPropertiesFile } from './properties-file';

/** Admin client settings of --command-config (kafka-topics.sh, kafka-consumer-groups.sh); settings this client has no use for are refused. */
export function commandConfig(path: string | undefined): { requestTimeoutMs?: number } {
  if (!path) return {};
  const options: { requestTimeoutMs?: number } = {};
  for (const [name, value] of readPropertiesFile(path, '--command-config')) {
    if (name === 'request.timeout.ms' || name === 'default.api.timeout.ms') {
      const ms = Number(value);
      if (!Number.isInteger(ms) || ms < 1) throw new TributaryError('INVALID_CONFIG', `${name} must be a positive integer, not "${value}"`);
      options.requestTimeoutMs = ms;
    } else if (name !== 'client.id' && name !== 'bootstrap.servers') {
      throw new TributaryError('INVALID_CONFIG', `--command-config: unknown admin client config "${name}"`);
    }
  }
  return options;
}
