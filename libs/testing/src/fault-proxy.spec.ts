import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { FaultProxy } from './fault-proxy';

/** A TCP server that echoes everything back. */
async function echoServer(): Promise<{ server: Server; address: string; accepted: () => number }> {
  let accepted = 0;
  const server = createServer((socket) => {
    accepted++;
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, address: `127.0.0.1:${(server.address() as { port: number }).port}`, accepted: () => accepted };
}

function connect(address: string): Socket {
  const [host, port] = address.split(':');
  return createConnection({ host, port: Number(port) });
}

/** Resolves with everything received once `expected` bytes arrived. */
function receive(socket: Socket, expected: number): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.length >= expected) resolve(text);
    });
  });
}

describe('FaultProxy', () => {
  let echo: Awaited<ReturnType<typeof echoServer>>;
  let proxy: FaultProxy;
  const sockets: Socket[] = [];
  const open = (): Socket => {
    const socket = connect(proxy.address);
    sockets.push(socket);
    return socket;
  };

  beforeEach(async () => {
    echo = await echoServer();
    proxy = await FaultProxy.start(echo.address);
  });
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await proxy.close();
    await new Promise((resolve) => echo.server.close(resolve));
  });

  it('forwards both ways while open', async () => {
    const socket = open();
    const reply = receive(socket, 5);
    socket.write('hello');
    expect(await reply).toBe('hello');
  });

  it('cut resets live connections and holds new ones unanswered until heal lets them through', async () => {
    const live = open();
    const reply = receive(live, 2);
    live.write('up');
    await reply;
    const closed = new Promise((resolve) => live.once('close', resolve));
    proxy.cut();
    await closed;

    const held = open();
    let answered = false;
    const late = receive(held, 4).then((text) => {
      answered = true;
      return text;
    });
    held.write('late');
    await new Promise((resolve) => held.once('connect', resolve));
    // A window in which a proxy that forwarded would have been seen doing it.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(answered).toBe(false);
    expect(echo.accepted()).toBe(1);
    proxy.heal();
    expect(await late).toBe('late');
  });

  it('delay keeps the order of chunks, also across a change of delay', async () => {
    const socket = open();
    const reply = receive(socket, 6);
    proxy.delay(50);
    socket.write('ab');
    await new Promise((resolve) => setTimeout(resolve, 5));
    proxy.delay(0);
    socket.write('cd');
    socket.write('ef');
    expect(await reply).toBe('abcdef');
  });
});
