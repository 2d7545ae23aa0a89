import { createServer, connect } from 'node:net';

/** A TCP proxy that counts the bytes each way between the browser and the server. */
export async function countingProxy(target: number) {
  const bytes = { up: 0, down: 0 };
  const server = createServer((client) => {
    const upstream = connect(target, '127.0.0.1');
    client.on('data', (c: Buffer) => {
      bytes.up += c.length;
      upstream.write(c);
    });
    upstream.on('data', (c: Buffer) => {
      bytes.down += c.length;
      client.write(c);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    for (const s of [client, upstream]) {
      s.on('error', end);
      s.on('close', end);
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as { port: number }).port;
  return { port, bytes, close: () => new Promise((ok) => server.close(ok)) };
}
