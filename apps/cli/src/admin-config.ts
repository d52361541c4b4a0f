import { Tributary, type Admin } from '@tributary/client';
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

/** Runs `use` with an admin client of --bootstrap-server and --command-config, closed afterwards. */
export async function withAdmin(flags: { bootstrapServer: string; commandConfig?: string }, use: (admin: Admin) => Promise<void>): Promise<void> {
  const admin = new Tributary({ bootstrapServers: flags.bootstrapServer, ...commandConfig(flags.commandConfig) }).admin();
  try {
    await use(admin);
  } finally {
    await admin.close();
  }
}
