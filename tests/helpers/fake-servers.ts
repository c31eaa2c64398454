import { createServer, type Server, type Socket } from 'node:net';

/**
 * Loopback TCP servers that are not Redis, for the connection checks: one that accepts and
 * never answers (a proxy, a firewall that swallows packets, a TLS-only port spoken to in
 * plain text), one that answers like an HTTP server, one that hangs up at once, and one that
 * speaks RESP only to refuse the password.
 */

export interface FakeServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

async function listen(onSocket: (socket: Socket) => void): Promise<FakeServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Accepts, reads, never answers. */
export const silentServer = () => listen(() => undefined);

/** Answers whatever it is sent with an HTTP 400, as a web server on the wrong port would. */
export const httpServer = () =>
  listen((socket) => socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 11\r\nConnection: close\r\n\r\nBad Request')));

/** Accepts and hangs up without a word (a TLS-only port does this to plain text). */
export const hangUpServer = () => listen((socket) => socket.once('data', () => socket.destroy()));

/** Speaks RESP, and refuses every password. */
export const wrongPasswordServer = () =>
  listen((socket) => socket.on('data', () => socket.write('-WRONGPASS invalid username-password pair or user is disabled.\r\n')));
