import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { isVlaError } from '../../errors';
import { packMessage, unpackMessage } from '../remote/numpyMsgpack';

/** What a policy server serves: its metadata and one inference per observation map. */
export interface ServedHandler {
  metadata(): Record<string, unknown>;
  /** The reply map for one observation map (throws: the connection gets the error text and a 1011 close). */
  infer(observation: Record<string, unknown>): Promise<Record<string, unknown>>;
}

export interface PolicyServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0: an ephemeral port. */
  port?: number;
  /** When set, clients must send `Authorization: Api-Key <key>` (else HTTP 401). */
  apiKey?: string;
  /** Request frames above this size close the connection (1009). */
  maxRequestBytes?: number;
  /** Log lines (connections, errors). */
  log?: (line: string) => void;
}

/**
 * openpi's policy server protocol over `ws`: on connect the metadata map (msgpack), then per binary msgpack
 * request one binary msgpack reply with `server_timing.infer_ms` added; an error goes back as a text frame
 * (the error's text) and a close with code 1011. `GET /healthz` answers 200. Inferences from several clients
 * run one at a time.
 */
export class PolicyServer {
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(http: Server, wss: WebSocketServer) {
    this.http = http;
    this.wss = wss;
  }

  static start(handler: ServedHandler, options: PolicyServerOptions = {}): Promise<PolicyServer> {
    const log = options.log ?? (() => undefined);
    const http = createServer((req, res) => {
      if (req.method === 'GET' && (req.url === '/healthz' || req.url?.startsWith('/healthz?'))) {
        res.writeHead(200, { 'Content-Type': 'text/plain' }).end('OK\n');
      } else
        res
          .writeHead(426, { 'Content-Type': 'text/plain' })
          .end('openpi policy server: connect with a WebSocket; GET /healthz for health\n');
    });
    const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxRequestBytes ?? 64 * 1024 * 1024, perMessageDeflate: false });
    const server = new PolicyServer(http, wss);
    http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (options.apiKey !== undefined && req.headers.authorization !== `Api-Key ${options.apiKey}`) {
        log(`refused ${req.socket.remoteAddress ?? '?'}: wrong or missing API key`);
        socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nwrong or missing API key\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => server.serve(ws, handler, log));
    });
    return new Promise((resolve, reject) => {
      http.once('error', reject);
      http.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        http.off('error', reject);
        resolve(server);
      });
    });
  }

  get port(): number {
    return (this.http.address() as AddressInfo).port;
  }

  get host(): string {
    return (this.http.address() as AddressInfo).address;
  }

  get url(): string {
    return `ws://${this.host}:${this.port}`;
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private serve(ws: WebSocket, handler: ServedHandler, log: (line: string) => void): void {
    ws.on('error', (err) => log(`connection error: ${err.message}`));
    ws.send(packMessage(handler.metadata()), { binary: true });
    let previousTotalMs: number | undefined;
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const started = performance.now();
      const work = this.queue.then(async () => {
        if (!isBinary) throw new Error('a request must be a binary msgpack frame');
        const request = unpackMessage(data);
        if (typeof request !== 'object' || request === null || Array.isArray(request))
          throw new Error('a request must be a msgpack map (the observation)');
        const inferStart = performance.now();
        const reply = await handler.infer(request as Record<string, unknown>);
        const timing: Record<string, number> = { infer_ms: performance.now() - inferStart };
        if (previousTotalMs !== undefined) timing['prev_total_ms'] = previousTotalMs;
        return { ...reply, server_timing: timing };
      });
      this.queue = work.catch(() => undefined);
      work.then(
        (reply) => {
          if (ws.readyState !== ws.OPEN) return;
          ws.send(packMessage(reply), { binary: true });
          previousTotalMs = performance.now() - started;
        },
        (err: unknown) => {
          const text = isVlaError(err) ? `${err.code}: ${err.describe()}` : err instanceof Error ? (err.stack ?? err.message) : String(err);
          log(`inference failed: ${text.split('\n')[0]}`);
          if (ws.readyState !== ws.OPEN) return;
          ws.send(text);
          ws.close(1011, 'Internal server error. Traceback included in previous frame.');
        },
      );
    });
  }
}
