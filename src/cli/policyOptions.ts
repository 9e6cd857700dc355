import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { Embodiment } from '../config/Embodiment';
import { VlaError } from '../errors';
import { executionProvidersNamed } from '../policy/manifest/executionProvidersNamed';
import { EXECUTION_PROVIDERS, type ExecutionProvider } from '../policy/manifest/PolicyManifest';
import type { PolicyServerStats } from '../policy/Policy';
import type { GuardedPolicy } from '../policy/GuardedPolicy';

/** The policy options `sim`, `eval`, `check`, `infer`, `run` and `serve` share. */
export interface PolicyCliOptions {
  policyServer?: string;
  executionProvider?: string;
}

export function addPolicyServerOption(command: Command): Command {
  return command.option(
    '--policy-server <URL>',
    "a served policy's server (ws://host:port), instead of its manifest's server.url; API key from VLA_BRIDGE_POLICY_API_KEY",
  );
}

export function addExecutionProviderOption(command: Command): Command {
  return command.option(
    '--execution-provider <EPS>',
    `onnxruntime execution providers for a local policy, in order (${EXECUTION_PROVIDERS.join(', ')}), e.g. cuda,cpu: cpu last falls back with a log line`,
  );
}

/** `--execution-provider cuda,cpu` -> ['cuda', 'cpu'], or ARGUMENT_INVALID naming the unknown provider. */
export function parseExecutionProviders(value: string | undefined): ExecutionProvider[] | undefined {
  return value === undefined ? undefined : executionProvidersNamed(value, '--execution-provider');
}

/** Loads a policy folder (local or served) with the command-line options; onnxruntime is imported only then. */
export async function loadPolicyForCli(
  dir: string,
  opts: PolicyCliOptions & { embodiment?: Embodiment; executor?: 'in_process' | 'worker'; flag?: string; log?: (line: string) => void },
): Promise<GuardedPolicy> {
  if (!existsSync(dir))
    throw new VlaError('FILE_NOT_FOUND', 'policy folder not found', {
      file: dir,
      path: opts.flag ?? '--policy',
      hint: 'give a policy folder (manifest.yaml and its model, or a served policy manifest)',
    });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { loadPolicy } = require('../policy/loadPolicy') as typeof import('../policy/loadPolicy');
  return loadPolicy(dir, {
    policyServer: opts.policyServer,
    executionProviders: parseExecutionProviders(opts.executionProvider),
    embodiment: opts.embodiment,
    executor: opts.executor,
    log: opts.log,
  });
}

const ms = (v: number) => v.toFixed(v >= 10 ? 1 : 2);

/** One line about a served policy's latency, for `sim` and `eval` (undefined for a local policy). */
export function serverStatsLine(stats: PolicyServerStats | undefined): string | undefined {
  if (stats === undefined) return undefined;
  const rt = stats.roundTripMs;
  const server = stats.serverInferMs;
  const parts = [
    `${stats.url}: ${stats.replies}/${stats.requests} replies, ${stats.failures} failures, ${stats.reconnects} reconnects`,
    rt === undefined ? 'no round trip yet' : `round trip p50 ${ms(rt.p50)} p99 ${ms(rt.p99)} ms`,
    server === undefined ? undefined : `server infer p50 ${ms(server.p50)} p99 ${ms(server.p99)} ms`,
    `${stats.requestBytes} bytes/observation`,
  ];
  return parts.filter((p) => p !== undefined).join(', ');
}

/** The same for --json: snake_case, ms. */
export function serverStatsJson(stats: PolicyServerStats | undefined): Record<string, unknown> | undefined {
  if (stats === undefined) return undefined;
  return {
    url: stats.url,
    requests: stats.requests,
    replies: stats.replies,
    failures: stats.failures,
    reconnects: stats.reconnects,
    abandoned: stats.abandoned,
    round_trip_ms: stats.roundTripMs ?? null,
    server_infer_ms: stats.serverInferMs ?? null,
    policy_infer_ms: stats.policyInferMs ?? null,
    bytes_per_observation: stats.requestBytes,
    bytes_per_reply: stats.replyBytes,
  };
}
