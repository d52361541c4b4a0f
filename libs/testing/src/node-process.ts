import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * One Node program run as a child process (a bin shim of a service), its stderr kept so tests can
 * wait for what it announces and show it when something goes wrong.
 */
export class NodeProcess {
  private stderrText = '';
  readonly exited: Promise<Exit>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => (this.stderrText += chunk));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** Runs `node <script> <args>`; stdout (the JSON logs) is appended to `logFile` (dropped without one), stderr is kept. */
  static spawn(name: string, script: string, args: readonly string[], logFile?: string): NodeProcess {
    const stdout = logFile === undefined ? 'ignore' : openSync(logFile, 'a');
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', stdout, 'pipe'] });
    if (typeof stdout === 'number') closeSync(stdout); // the child holds its own copy
    return new NodeProcess(name, child);
  }

  get stderr(): string {
    return this.stderrText;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The first match of `pattern` in stderr; rejects if the process exits first. */
  announced(pattern: RegExp): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const match = pattern.exec(this.stderrText);
        if (!match) return;
        this.child.stderr?.off('data', check);
        resolve(match);
      };
      this.child.stderr?.on('data', check);
      check();
      void this.exited.then(({ code, signal }) => reject(new Error(`${this.name} exited (${code ?? signal}) before announcing ${pattern}:\n${this.stderrText}`)));
    });
  }

  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  async stop(graceMs = 10_000): Promise<Exit> {
    if (!this.running) return this.exited;
    this.child.kill('SIGCONT'); // a paused process cannot act on SIGTERM
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }
}
