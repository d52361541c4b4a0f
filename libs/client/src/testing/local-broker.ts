import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// A test-only dependency, kept out of the project graph: the client's integration tests run against
// a real broker, while the broker (through serdes, for schema validation) depends on the client.
// nx-ignore-next-line
import { startBroker, type RunningBroker } from '@tributary/broker';

/** A real broker on 127.0.0.1 with its data in a fresh temp dir, restartable on the same port. */
export class LocalBroker {
  private running: RunningBroker | null = null;
  port = 0;

  private constructor(
    readonly dataDir: string,
    private readonly config: Record<string, string>,
  ) {}

  static async start(config: Record<string, string> = {}): Promise<LocalBroker> {
    const broker = new LocalBroker(mkdtempSync(join(tmpdir(), 'tributary-client-')), config);
    await broker.restart();
    return broker;
  }

  get bootstrap(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Starts (again) on the same port and data dir. */
  async restart(): Promise<void> {
    await this.stop();
    this.running = await startBroker({ dataDir: this.dataDir, port: this.port, metricsPort: 0, controllerPort: 0, config: this.config, logLevel: 'silent' });
    this.port = this.running.port;
  }

  async stop(): Promise<void> {
    await this.running?.close();
    this.running = null;
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** Waits for `condition` (polling), failing after `timeoutMs`: for states reached asynchronously. */
export async function eventually(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
