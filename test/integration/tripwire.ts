// A network tripwire for the activation test. The runner starts it on loopback and points the
// extension's service URLs (user settings) at it before VS Code starts; every connection it
// receives is appended to a log file (one JSON object a line) that the in-host test reads.
// It answers 503 and closes, so a client that does connect fails fast instead of hanging.
import * as fs from 'node:fs';
import * as net from 'node:net';

/** Environment contract between the runners and the in-host suite. */
export const ENV_RESULTS_FILE = 'MINERU_TEST_RESULTS';
export const ENV_TRIPWIRE_LOG = 'MINERU_TRIPWIRE_LOG';
export const ENV_TRIPWIRE_URL = 'MINERU_TRIPWIRE_URL';

export interface TripwireHit {
  /** ISO time of the connection. */
  at: string;
  /** First request line, e.g. "POST /api/v4/extract/task HTTP/1.1" (empty if nothing was sent). */
  request: string;
}

export interface Tripwire {
  url: string;
  logFile: string;
  close(): Promise<void>;
}

export async function startTripwire(logFile: string): Promise<Tripwire> {
  fs.writeFileSync(logFile, '');
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let recorded = false;
    const record = (firstChunk: string): void => {
      if (recorded) return;
      recorded = true;
      const hit: TripwireHit = { at: new Date().toISOString(), request: firstChunk.split('\r\n')[0] ?? '' };
      fs.appendFileSync(logFile, `${JSON.stringify(hit)}\n`);
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    };
    socket.once('data', (chunk: Buffer) => record(chunk.toString('latin1')));
    socket.setTimeout(1000, () => record(''));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    logFile,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Reads the hits recorded so far (none when the file does not exist). */
export function readTripwireHits(logFile: string): TripwireHit[] {
  if (!fs.existsSync(logFile)) return [];
  return fs
    .readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as TripwireHit);
}
