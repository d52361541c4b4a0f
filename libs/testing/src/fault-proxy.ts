import { createConnection, createServer, type Server, type Socket } from 'node:net';

/** What a link does with traffic: pass it, hold it (a partition), or pass it late. */
export type LinkState = { kind: 'open' } | { kind: 'cut' } | { kind: 'delayed'; delayMs: number };

/**
 * A TCP forwarder standing for one directed network link (client → `target`), so tests can cut
 * or slow traffic between chosen processes without touching them. Give the client
 * `proxy.address` instead of the target's.
 *
 * - cut: live connections are reset, and new ones are accepted but held unanswered — as when a
 *   partition drops packets, a connect neither succeeds nor fails fast; they go through on heal.
 * - delayed: every chunk in both directions is forwarded `delayMs` later, order kept.
 */
export class FaultProxy {
  private state: LinkState = { kind: 'open' };
  private readonly live = new Set<Socket>();
  private readonly held = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly target: { host: string; port: number },
    readonly port: number,
  ) {}

  /** Listens on 127.0.0.1 at an ephemeral port, forwarding to `target` ("host:port"). */
  static async start(target: string): Promise<FaultProxy> {
    const separator = target.lastIndexOf(':');
    const destination = { host: target.slice(0, separator), port: Number(target.slice(separator + 1)) };
    const server = createServer({ pauseOnConnect: true });
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
    const proxy = new FaultProxy(server, destination, (server.address() as { port: number }).port);
    server.on('connection', (socket: Socket) => proxy.accept(socket));
    return proxy;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get link(): LinkState {
    return this.state;
  }

  cut(): void {
    this.state = { kind: 'cut' };
    for (const socket of this.live) socket.destroy();
  }

  delay(delayMs: number): void {
    this.state = { kind: 'delayed', delayMs };
  }

  /** Opens the link again; held connections go through now. */
  heal(): void {
    this.state = { kind: 'open' };
    for (const socket of this.held) this.forward(socket);
    this.held.clear();
  }

  async close(): Promise<void> {
    for (const socket of [...this.live, ...this.held]) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (this.state.kind === 'cut') {
      this.held.add(client);
      client.once('close', () => this.held.delete(client));
      return;
    }
    this.forward(client);
  }

  private forward(client: Socket): void {
    const upstream = createConnection(this.target);
    for (const socket of [client, upstream]) {
      this.live.add(socket);
      socket.once('close', () => this.live.delete(socket));
      // Either side going away ends the pair, as a broken connection would.
      socket.once('close', () => (socket === client ? upstream : client).destroy());
      socket.on('error', () => socket.destroy());
    }
    this.pipe(client, upstream);
    this.pipe(upstream, client);
    client.resume();
  }

  /** Forwards chunks in order; a delayed chunk holds back every chunk after it. */
  private pipe(from: Socket, to: Socket): void {
    const pending: { atMs: number; chunk: Buffer }[] = [];
    const drain = (): void => {
      const nowMs = performance.now();
      while (pending.length > 0 && pending[0].atMs <= nowMs) to.write((pending.shift() as { chunk: Buffer }).chunk);
      if (pending.length > 0) setTimeout(drain, pending[0].atMs - nowMs);
    };
    from.on('data', (chunk: Buffer) => {
      const delayMs = this.state.kind === 'delayed' ? this.state.delayMs : 0;
      if (delayMs === 0 && pending.length === 0) {
        to.write(chunk);
        return;
      }
      pending.push({ atMs: Math.max(performance.now() + delayMs, pending.at(-1)?.atMs ?? 0), chunk });
      if (pending.length === 1) setTimeout(drain, delayMs);
    });
  }
}
