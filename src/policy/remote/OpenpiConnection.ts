import WebSocket from 'ws';
import { VlaError } from '../../errors';
import { packTransient, unpackMessage } from './numpyMsgpack';

/** The environment variable the API key is read from (never the command line, never a file in the repository). */
export const API_KEY_ENV = 'VLA_BRIDGE_POLICY_API_KEY';

export interface ConnectOptions {
  connectTimeoutS: number;
  /** Frames above this many bytes are refused by the WebSocket before they are buffered whole. */
  maxReplyBytes: number;
  /** Sent as `Authorization: Api-Key <key>`; default: the VLA_BRIDGE_POLICY_API_KEY environment variable. */
  apiKey?: string;
}

export interface Reply {
  message: Record<string, unknown>;
  roundTripMs: number;
  requestBytes: number;
  replyBytes: number;
}

interface Pending {
  resolve(reply: Reply): void;
  reject(err: VlaError): void;
  startedMs: number;
  requestBytes: number;
}

/**
 * One WebSocket connection to a server that speaks openpi's policy protocol: the server sends a metadata map
 * first; then each binary msgpack request gets one binary msgpack reply, in order; a text frame is the server's
 * error (a traceback), followed by a close with code 1011. One request at a time.
 */
export class OpenpiConnection {
  readonly url: string;
  readonly metadata: Record<string, unknown>;
  private readonly socket: WebSocket;
  private pending: Pending | undefined;
  /** One timer for every request of the connection, re-armed per request (no allocation per request). */
  private requestTimer: NodeJS.Timeout | undefined;
  private requestTimeoutS = 0;
  private lostError: VlaError | undefined;
  private serverText: string | undefined;

  private constructor(url: string, socket: WebSocket, metadata: Record<string, unknown>) {
    this.url = url;
    this.socket = socket;
    this.metadata = metadata;
    socket.on('message', (data, isBinary) => this.onMessage(data as Buffer, isBinary));
    socket.on('error', (err) => this.fail(lostError(url, err)));
    socket.on('close', (code, reason) => this.fail(closedError(url, code, reason.toString(), this.serverText)));
  }

  /** Connects and reads the metadata frame; every failure names the URL (and a 401 says so). */
  static open(url: string, options: ConnectOptions): Promise<OpenpiConnection> {
    const given = options.apiKey ?? process.env[API_KEY_ENV];
    const apiKey = given === undefined || given === '' ? undefined : given;
    return new Promise<OpenpiConnection>((resolve, reject) => {
      let settled = false;
      const socket = new WebSocket(url, {
        headers: apiKey === undefined ? {} : { Authorization: `Api-Key ${apiKey}` },
        maxPayload: options.maxReplyBytes,
        handshakeTimeout: options.connectTimeoutS * 1000,
        perMessageDeflate: false,
      });
      const done = (err: VlaError | undefined, conn?: OpenpiConnection) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.removeAllListeners('unexpected-response');
        if (err !== undefined) {
          socket.removeAllListeners();
          socket.on('error', () => undefined);
          socket.terminate();
          reject(err);
        } else resolve(conn!);
      };
      const timer = setTimeout(
        () =>
          done(
            new VlaError('POLICY_SERVER_UNREACHABLE', `policy server ${url} did not answer within ${options.connectTimeoutS} s`, {
              path: 'server.url',
              hint: 'is the server running and reachable from here?',
            }),
          ),
        options.connectTimeoutS * 1000,
      );
      socket.on('unexpected-response', (_req, res) => {
        const status = res.statusCode ?? 0;
        res.resume();
        if (status === 401 || status === 403) {
          done(
            new VlaError('POLICY_SERVER_UNAUTHORIZED', `policy server ${url} refused the API key (HTTP ${status})`, {
              path: API_KEY_ENV,
              hint:
                apiKey === undefined
                  ? `the server wants an API key: set ${API_KEY_ENV}`
                  : `check ${API_KEY_ENV}: the server did not accept it`,
            }),
          );
        } else
          done(
            new VlaError('POLICY_SERVER_UNREACHABLE', `policy server ${url} answered HTTP ${status} instead of a WebSocket upgrade`, {
              path: 'server.url',
              hint: "is this the policy server's address (ws://host:port)?",
            }),
          );
      });
      socket.once('error', (err) => done(errorOf(url, err)));
      socket.once('close', (code, reason) => done(closedError(url, code, reason.toString(), undefined)));
      socket.once('message', (data, isBinary) => {
        if (!isBinary) return done(serverError(url, data.toString()));
        let metadata: unknown;
        try {
          metadata = unpackMessage(data as Buffer);
        } catch (err) {
          return done(err as VlaError);
        }
        if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
          return done(
            new VlaError('POLICY_SERVER_REPLY_INVALID', `policy server ${url} sent a metadata frame that is not a map`, {
              hint: 'openpi servers send their metadata map first',
            }),
          );
        }
        socket.removeAllListeners();
        done(undefined, new OpenpiConnection(url, socket, metadata as Record<string, unknown>));
      });
    });
  }

  get open(): boolean {
    return this.lostError === undefined && this.socket.readyState === WebSocket.OPEN;
  }

  /**
   * Sends one observation map; resolves with the reply map. Without a reply within `timeoutS` the request fails
   * and the connection is closed (a late reply could not be told apart from the next one's).
   */
  request(message: Record<string, unknown>, timeoutS: number): Promise<Reply> {
    if (this.lostError !== undefined) return Promise.reject(this.lostError);
    if (this.pending !== undefined) return Promise.reject(new VlaError('INFERENCE_BUSY', `a request to ${this.url} is still running`));
    // A client masks what it sends: with compression off, ws copies the frame while masking, before send() returns.
    const frame = packTransient(message);
    return new Promise<Reply>((resolve, reject) => {
      this.pending = { resolve, reject, startedMs: performance.now(), requestBytes: frame.length };
      this.armTimer(timeoutS);
      this.socket.send(frame, { binary: true }, (err) => {
        if (err) this.fail(lostError(this.url, err));
      });
    });
  }

  private armTimer(timeoutS: number): void {
    const timer = this.requestTimer;
    if (timer !== undefined && this.requestTimeoutS === timeoutS) {
      timer.refresh();
      return;
    }
    clearTimeout(timer);
    this.requestTimeoutS = timeoutS;
    this.requestTimer = setTimeout(() => {
      // Every request re-arms the timer, so a request still pending now is the one it was armed for. Without
      // one, the reply came in time (the timer is left to run out rather than cleared, to re-arm it cheaply).
      const pending = this.pending;
      if (pending === undefined) return;
      this.pending = undefined;
      pending.reject(
        new VlaError('INFERENCE_FAILED', `policy server ${this.url} sent no reply within ${timeoutS} s`, {
          path: 'server.request_timeout_s',
        }),
      );
      this.close();
    }, timeoutS * 1000);
  }

  /** Drops the connection (a pending request fails). */
  close(): void {
    this.fail(new VlaError('INFERENCE_FAILED', `the connection to ${this.url} was closed`));
    if (this.socket.readyState === WebSocket.OPEN) this.socket.close(1000);
    else this.socket.terminate();
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (!isBinary) {
      // openpi: the traceback as text, then close 1011. Keep the text for the close, and fail the request now.
      this.serverText = data.toString();
      this.fail(serverError(this.url, this.serverText));
      return;
    }
    const pending = this.pending;
    if (pending === undefined) {
      this.fail(
        new VlaError('POLICY_SERVER_REPLY_INVALID', `policy server ${this.url} sent a frame nobody asked for`, {
          hint: 'openpi servers answer each request with exactly one reply',
        }),
      );
      this.socket.terminate();
      return;
    }
    this.pending = undefined;
    let message: unknown;
    try {
      message = unpackMessage(data);
    } catch (err) {
      pending.reject(err as VlaError);
      return;
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      pending.reject(
        new VlaError(
          'POLICY_SERVER_REPLY_INVALID',
          `policy server ${this.url} replied with a ${Array.isArray(message) ? 'list' : typeof message}, not a map`,
        ),
      );
      return;
    }
    pending.resolve({
      message: message as Record<string, unknown>,
      roundTripMs: performance.now() - pending.startedMs,
      requestBytes: pending.requestBytes,
      replyBytes: data.length,
    });
  }

  private fail(err: VlaError): void {
    if (this.lostError === undefined || this.lostError.code === 'INFERENCE_FAILED') this.lostError = err;
    clearTimeout(this.requestTimer);
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(this.lostError);
  }
}

function serverError(url: string, text: string): VlaError {
  const trimmed = text.trim();
  return new VlaError(
    'POLICY_SERVER_ERROR',
    `policy server ${url} failed: ${trimmed.length > 2000 ? `...${trimmed.slice(-2000)}` : trimmed}`,
    { hint: "the text is the server's own error; fix it on the server side" },
  );
}

function closedError(url: string, code: number, reason: string, serverText: string | undefined): VlaError {
  if (serverText !== undefined) return serverError(url, serverText);
  return new VlaError(
    'INFERENCE_FAILED',
    `the connection to policy server ${url} was lost (close code ${code}${reason === '' ? '' : `: ${reason}`})`,
    { hint: 'the bridge reconnects with backoff; the watchdog holds the arm meanwhile' },
  );
}

function errorOf(url: string, err: Error): VlaError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
    return new VlaError('POLICY_SERVER_REPLY_INVALID', `policy server ${url} sent a frame over the size limit (${err.message})`, {
      path: 'server.max_reply_bytes',
      hint: 'raise server.max_reply_bytes in the manifest if such replies are expected',
    });
  }
  if (
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    code === 'EHOSTUNREACH' ||
    code === 'ETIMEDOUT' ||
    code === 'ECONNRESET' ||
    code === 'EAI_AGAIN'
  ) {
    return new VlaError('POLICY_SERVER_UNREACHABLE', `policy server ${url} is unreachable (${code})`, {
      path: 'server.url',
      hint: 'is the server running? check the URL (server.url in the manifest, or --policy-server)',
    });
  }
  return new VlaError('POLICY_SERVER_UNREACHABLE', `policy server ${url}: ${err.message}`, {
    path: 'server.url',
    hint: 'check the URL (server.url in the manifest, or --policy-server)',
  });
}

/** An error on an established connection: the size limit is the reply's fault, anything else a lost connection. */
function lostError(url: string, err: Error): VlaError {
  const e = errorOf(url, err);
  if (e.code === 'POLICY_SERVER_REPLY_INVALID') return e;
  return new VlaError('INFERENCE_FAILED', `the connection to policy server ${url} was lost (${err.message})`, {
    hint: 'the bridge reconnects with backoff; the watchdog holds the arm meanwhile',
  });
}
