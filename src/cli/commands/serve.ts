import { resolve } from 'node:path';
import type { Command } from 'commander';
import { VlaError } from '../../errors';
import { API_KEY_ENV } from '../../policy/remote/OpenpiConnection';
import { type CliContext, logLine, parseNumberOption, writeJson, writeLine } from '../CliContext';
import { addExecutionProviderOption, parseExecutionProviders, type PolicyCliOptions } from '../policyOptions';

interface ServeOptions extends PolicyCliOptions {
  policy: string;
  port: string;
  host: string;
  threads?: string;
  json?: boolean;
}

/** Resolves at SIGINT or SIGTERM. */
function untilSignal(): Promise<string> {
  return new Promise((done) => {
    const on = (signal: string) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      done(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

export function registerServe(program: Command, ctx: CliContext): void {
  const command = program
    .command('serve')
    .description(
      "serve a local ONNX policy folder over openpi's WebSocket protocol (metadata first, GET /healthz, error frames), for `--policy-server` clients",
    )
    .requiredOption('--policy <DIR>', 'a local policy folder (its manifest may map the wire keys: the serve section)')
    .option('--port <P>', 'TCP port (0: any free port, printed at start)', '8000')
    .option(
      '--host <H>',
      'address to listen on (127.0.0.1: this machine only; 0.0.0.0 for a robot on the network, with an API key)',
      '127.0.0.1',
    )
    .option('--threads <N>', 'onnxruntime threads')
    .option('--json', 'print {"url","port","host","policy","metadata"} on stdout once listening');
  addExecutionProviderOption(command);
  command.addHelpText(
    'after',
    `\nWhen ${API_KEY_ENV} is set, clients must send "Authorization: Api-Key <key>" (others get HTTP 401).\nStops at SIGINT or SIGTERM.`,
  );
  command.action(async (opts: ServeOptions) => {
    const port = parseNumberOption(opts.port, '--port', { integer: true, min: 0, max: 65535 });
    const threads =
      opts.threads === undefined ? undefined : parseNumberOption(opts.threads, '--threads', { integer: true, min: 1, max: 256 });
    if (opts.host.trim() === '')
      throw new VlaError('ARGUMENT_INVALID', '--host is empty', { path: '--host', hint: 'e.g. --host 127.0.0.1' });
    const apiKey = process.env[API_KEY_ENV];
    // onnxruntime and ws load only for this command.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { serveLocalPolicy } = require('../../policy/serve/serveLocalPolicy') as typeof import('../../policy/serve/serveLocalPolicy');
    const log = (line: string) => logLine(ctx, `serve: ${line}`);
    let served;
    try {
      served = await serveLocalPolicy(resolve(ctx.cwd, opts.policy), {
        host: opts.host,
        port,
        threads,
        executionProviders: parseExecutionProviders(opts.executionProvider),
        apiKey: apiKey === '' ? undefined : apiKey,
        log,
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
        throw new VlaError('ARGUMENT_INVALID', `cannot listen on ${opts.host}:${port} (${code})`, {
          path: code === 'EADDRNOTAVAIL' ? '--host' : '--port',
          hint:
            code === 'EADDRINUSE' ? 'another process uses this port: pick another --port (0: any free one)' : 'pick another --host/--port',
        });
      }
      throw err;
    }
    const { server, runtime } = served;
    if (opts.json === true)
      writeJson(ctx, { url: server.url, port: server.port, host: server.host, policy: runtime.name, metadata: served.metadata });
    else {
      writeLine(
        ctx,
        `vla-bridge serve: policy ${runtime.name} on ${server.url} (GET http://${server.host}:${server.port}/healthz)${apiKey ? `, API key required (${API_KEY_ENV})` : ''}`,
      );
      writeLine(ctx, `  metadata ${JSON.stringify(served.metadata)}`);
    }
    const signal = await untilSignal();
    log(`${signal}: stopping`);
    await served.close();
  });
}
