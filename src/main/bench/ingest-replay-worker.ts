/**
 * A replay of the simulator for the ingest benchmark's throughput runs, in a worker thread of its
 * own. At 'max' the simulator builds and sends every frame one by one (about 0.55 M frames/s on
 * this project's 2-core VM, its thread 100 % busy), below what a bare `ws` client can receive, so
 * it would be the limit of every fast subject. This server sends the simulator's own frames
 * instead — captured once from the real simulator's trade-only Binance stream (VenueSim mode
 * 'trades') on the same stream (`btcusdt@trade`, combined form, µs times), pre-framed, and
 * written to the socket in 64 KiB chunks as fast as it drains — so the subject, not the server,
 * is the limit. The bytes on the wire are the simulator's; only
 * their E stamps are old, which is why latency is always measured against the live simulator.
 *
 * It speaks just enough of the protocol: the WebSocket handshake on any path, and to a text frame
 * with an `id` (the client's SUBSCRIBE) the reply `{"result":null,"id":…}`, after which it sends
 * `maxMessages` trade frames (the captured ones, cycled). Other client frames are ignored.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';
import { VenueSim } from '../sim/venue-sim.ts';

export interface ReplayOptions {
  symbols: string[];
  /** Streams to capture, e.g. `btcusdt@trade` (a data frame of each counts as one message). */
  streams: string[];
  maxMessages: number;
  /**
   * Book mode: instead of captured trades, `maxMessages` Binance diff-depth frames with contiguous
   * U/u (one bid and one ask change each, over 50 price levels a side), and the REST depth
   * snapshot they start from at /api/v3/depth. The first diff goes out, then the rest once the
   * client has fetched the snapshot, so that the run measures the synced book path.
   */
  book?: boolean;
}

const opts = workerData as ReplayOptions;
const port = parentPort!;
/** Distinct frames captured from the simulator and cycled. */
const CAPTURE = 1 << 16;
const CHUNK = 64 * 1024;

/** Captures CAPTURE trade frames from a real simulator at 'max', on the stream the subjects read. */
async function capture(): Promise<Buffer[]> {
  // maxEvents counts trades; a stream of other events is captured until CAPTURE frames arrived.
  const trades = opts.streams.every((s) => s.endsWith('@trade'));
  const sim = await VenueSim.start({
    mode: 'trades',
    symbols: opts.symbols,
    rate: 'max',
    ...(trades ? { maxEvents: CAPTURE } : {}),
  });
  const frames: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    const ws = new WebSocket(`${sim.baseUrl}/stream?timeUnit=MICROSECOND`, { perMessageDeflate: false });
    ws.on('open', () => ws.send(JSON.stringify({ method: 'SUBSCRIBE', params: opts.streams, id: 1 })));
    ws.on('message', (data: Buffer) => {
      if (data.includes('"result"')) return;
      frames.push(Buffer.from(data));
      if (frames.length === CAPTURE) {
        ws.terminate();
        resolve();
      }
    });
    ws.on('error', reject);
  });
  await sim.close();
  return frames;
}

/** An unmasked server text frame around payload. */
function frame(payload: Buffer): Buffer {
  const n = payload.length;
  const head = n < 126 ? Buffer.from([0x81, n]) : Buffer.from([0x81, 126, n >> 8, n & 0xff]);
  if (n > 0xffff) throw new RangeError('frame too large for the replay server');
  return Buffer.concat([head, payload]);
}

/** Book mode's diffs, generated (no cycling: their ids must stay contiguous). */
function depthFrames(count: number): Buffer[] {
  const out: Buffer[] = [];
  const e = Math.round((performance.timeOrigin + performance.now()) * 1000);
  for (let i = 1; i <= count; i++) {
    const k = (i * 7) % 50;
    const bid = (67250 - k / 100).toFixed(8);
    const ask = (67250.01 + k / 100).toFixed(8);
    const q = i % 9 === 0 ? '0.00000000' : (((i * 13) % 1000) / 1000 + 0.001).toFixed(8);
    out.push(
      Buffer.from(
        `{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":${e + i},"s":"BTCUSDT","U":${i},"u":${i},"b":[["${bid}","${q}"]],"a":[["${ask}","${q}"]]}}`,
      ),
    );
  }
  return out;
}

/** The REST snapshot the book-mode diffs start from (lastUpdateId 0). */
function depthSnapshot(): string {
  const bids: string[] = [];
  const asks: string[] = [];
  for (let k = 0; k < 50; k++) {
    bids.push(`["${(67250 - k / 100).toFixed(8)}","1.00000000"]`);
    asks.push(`["${(67250.01 + k / 100).toFixed(8)}","1.00000000"]`);
  }
  return `{"lastUpdateId":0,"bids":[${bids.join(',')}],"asks":[${asks.join(',')}]}`;
}

const book = opts.book === true;
const generated = book ? depthFrames(opts.maxMessages).map(frame) : null;
/** Book mode: the first diff, sent before the snapshot is fetched. */
const firstDiff = generated ? generated.shift()! : null;
let waitingForSnapshot: Socket | null = null;
const frames = generated ?? (await capture()).map(frame);
const blob = Buffer.concat(frames);
/** Byte offset of the end of each frame in blob. */
const ends = new Float64Array(frames.length);
{
  let at = 0;
  frames.forEach((f, i) => {
    at += f.length;
    ends[i] = at;
  });
}
let sent = 0;
let bytesSent = 0;

/** Sends `count` frames from the blob, cycling, as fast as the socket drains. */
function blast(socket: Socket, count: number): void {
  const loops = Math.floor(count / frames.length);
  const rest = count % frames.length;
  let loop = 0;
  let pos = 0;
  const pump = (): void => {
    while (loop < loops || (loop === loops && rest > 0)) {
      const end = loop < loops ? blob.length : ends[rest - 1]!;
      const next = Math.min(end, pos + CHUNK);
      const ok = socket.write(blob.subarray(pos, next));
      bytesSent += next - pos;
      pos = next;
      if (pos === end) {
        sent += loop < loops ? frames.length : rest;
        loop++;
        pos = 0;
        if (loop > loops) break;
      }
      if (!ok) {
        socket.once('drain', pump);
        return;
      }
    }
  };
  pump();
}

/** Parses the client's (masked) frames; on a text frame with an id, replies and starts sending. */
function onClient(socket: Socket): void {
  let buf: Buffer = Buffer.alloc(0);
  let started = false;
  socket.on('data', (chunk: Buffer) => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    for (;;) {
      if (buf.length < 2) return;
      const opcode = buf[0]! & 0x0f;
      let len = buf[1]! & 0x7f;
      let at = 2;
      if (len === 126) {
        if (buf.length < 4) return;
        len = buf.readUInt16BE(2);
        at = 4;
      } else if (len === 127) {
        socket.destroy(); // no client sends a 64 KiB request here
        return;
      }
      const masked = (buf[1]! & 0x80) !== 0;
      const maskAt = at;
      if (masked) at += 4;
      if (buf.length < at + len) return;
      const payload = Buffer.from(buf.subarray(at, at + len));
      if (masked) for (let i = 0; i < len; i++) payload[i]! ^= buf[maskAt + (i & 3)]!;
      buf = buf.subarray(at + len);
      if (opcode === 0x8) {
        socket.end();
        return;
      }
      if (opcode !== 0x1 || started) continue;
      let id: unknown = null;
      try {
        id = (JSON.parse(payload.toString()) as { id?: unknown }).id ?? null;
      } catch {
        continue;
      }
      started = true;
      socket.write(frame(Buffer.from(`{"result":null,"id":${JSON.stringify(id)}}`)));
      if (firstDiff) {
        socket.write(firstDiff);
        sent++;
        waitingForSnapshot = socket;
      } else blast(socket, opts.maxMessages);
    }
  });
  socket.on('error', () => {});
}

const sockets = new Set<Socket>();
const server = createServer((req, res) => {
  if (book && req.url?.startsWith('/api/v3/depth')) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(depthSnapshot());
    const socket = waitingForSnapshot;
    waitingForSnapshot = null;
    if (socket) blast(socket, frames.length);
    return;
  }
  res.writeHead(404);
  res.end();
});
server.on('upgrade', (req: IncomingMessage, socket: Socket) => {
  const key = req.headers['sec-websocket-key'];
  const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  socket.setNoDelay(true);
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
  socket.write(
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
  );
  onClient(socket);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const address = server.address() as AddressInfo;
port.postMessage({
  type: 'ready',
  url: `ws://127.0.0.1:${address.port}`,
  restUrl: `http://127.0.0.1:${address.port}`,
});
port.on('message', (m: { type: string }) => {
  if (m.type === 'stats') {
    port.postMessage({ type: 'stats', stats: { tradesSent: sent, bytesSent } });
  } else if (m.type === 'close') {
    for (const s of sockets) s.destroy();
    server.closeAllConnections();
    server.close(() => port.postMessage({ type: 'closed' }));
  }
});
