import { spawnSync } from 'node:child_process';
import { freePort } from '@tributary/testing';
import { ServerProcess } from './server-process';

/** What Redis keeps when it acknowledges a write. */
export type RedisDurability = 'memory-only' | 'aof-everysec';

export const REDIS_DURABILITY_DESCRIPTION: Record<RedisDurability, string> = {
  'memory-only': 'in memory only (--save "" --appendonly no): nothing on disk',
  'aof-everysec': 'append-only file, fsync every second (--appendonly yes --appendfsync everysec)',
};

/**
 * The installed redis-server's version line, or an error telling how to install it: the
 * benchmark never installs packages itself.
 */
export function redisServerVersion(): string {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'redis-server was not found on PATH; the benchmark compares against Redis Streams and starts its own ' +
        'redis-server. Install it first: `sudo apt-get update && sudo apt-get install -y redis-server` ' +
        '(Debian/Ubuntu; it need not run as a service), then run the benchmark again.',
    );
  }
  return probe.stdout.trim();
}

/** A redis-server on a free loopback port with a fresh temp directory and no saved snapshots. */
export async function startRedisServer(durability: RedisDurability): Promise<ServerProcess> {
  const port = await freePort();
  const persistence = durability === 'aof-everysec' ? ['--appendonly', 'yes', '--appendfsync', 'everysec'] : ['--appendonly', 'no'];
  return ServerProcess.start({
    name: 'redis-server',
    command: 'redis-server',
    port,
    args: (dataDir) => [
      '--bind', '127.0.0.1', '--port', String(port), '--dir', dataDir,
      '--save', '', ...persistence, '--daemonize', 'no', '--logfile', '',
    ],
  });
}
