import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;
const OUTPUT_TAIL_CHARS = 4_000;

/** Every server still running, so a failure or Ctrl-C anywhere can stop them all. */
const running = new Set<ServerProcess>();

export interface ServerProcessOptions {
  /** Shown in messages: "redis-server", "tributary-server". */
  name: string;
  command: string;
  /** Built from the fresh temp directory the server owns. */
  args: (dataDir: string) => string[];
  /** The loopback port that answers once the server is ready. */
  port: number;
}

/**
 * A benchmarked server in its own process with its own temp directory: started, awaited until
 * its port accepts connections, and stopped (SIGTERM, then SIGKILL) with the directory removed.
 */
export class ServerProcess {
  private outputTail = '';
  private exited = false;

  private constructor(
    readonly name: string,
    readonly port: number,
    readonly dataDir: string,
    private readonly child: ChildProcess,
  ) {
    const keepTail = (chunk: Buffer) => {
      this.outputTail = (this.outputTail + chunk.toString()).slice(-OUTPUT_TAIL_CHARS);
    };
    child.stdout?.on('data', keepTail);
    child.stderr?.on('data', keepTail);
    child.once('exit', () => {
      this.exited = true;
    });
  }

  static async start(options: ServerProcessOptions): Promise<ServerProcess> {
    const dataDir = mkdtempSync(join(tmpdir(), `bench-${options.name}-`));
    const child = spawn(options.command, options.args(dataDir), { stdio: ['ignore', 'pipe', 'pipe'] });
    const server = new ServerProcess(options.name, options.port, dataDir, child);
    running.add(server);
    try {
      await server.waitUntilListening();
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  /** The server's pid, for reporting which process was measured. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  async stop(): Promise<void> {
    running.delete(this);
    if (!this.exited) {
      const exit = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
      await exit;
      clearTimeout(timer);
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** Stops every server still running; for error paths and signals. */
  static async stopAll(): Promise<void> {
    await Promise.all([...running].map((server) => server.stop()));
  }

  /** Kills every server at once, for the synchronous `exit` hook where nothing can be awaited. */
  static killAllNow(): void {
    for (const server of running) {
      if (!server.exited) server.child.kill('SIGKILL');
      rmSync(server.dataDir, { recursive: true, force: true });
    }
    running.clear();
  }

  private async waitUntilListening(): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let spawnError: Error | undefined;
    this.child.once('error', (error) => {
      spawnError = error;
    });
    for (;;) {
      if (spawnError) throw new Error(`${this.name} could not be started: ${spawnError.message}`);
      if (this.exited) {
        throw new Error(`${this.name} exited before listening on 127.0.0.1:${this.port}; its output:\n${this.outputTail}`);
      }
      if (await canConnect(this.port)) return;
      if (Date.now() > deadline) {
        throw new Error(`${this.name} did not listen on 127.0.0.1:${this.port} within ${READY_TIMEOUT_MS} ms; its output:\n${this.outputTail}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * SIGINT / SIGTERM stop every server (and whatever `alsoStop` stops, e.g. a cluster) and exit
 * 130 / 143; at exit, whatever still runs is killed, a last resort for paths that exit without
 * awaiting stopAll().
 */
export function stopServersOnSignals(alsoStop: () => Promise<void> = async () => undefined): void {
  let stopping = false;
  const stopOn = (signal: NodeJS.Signals, exitCode: number) =>
    process.once(signal, () => {
      if (stopping) return;
      stopping = true;
      console.error(`bench: ${signal}; stopping the servers`);
      Promise.allSettled([ServerProcess.stopAll(), alsoStop()]).finally(() => process.exit(exitCode));
    });
  stopOn('SIGINT', 130);
  stopOn('SIGTERM', 143);
  process.on('exit', () => ServerProcess.killAllNow());
}
