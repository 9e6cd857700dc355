import { PolicyRuntime, type PolicyRuntimeOptions } from '../runtime/PolicyRuntime';
import { PolicyServer, type PolicyServerOptions } from './PolicyServer';
import { WireAdapter } from './WireAdapter';

/**
 * Serves a local ONNX policy folder over openpi's protocol (`vla-bridge serve`): the sessions run in a worker
 * thread, the wire keys and the action form follow the manifest's `serve` section.
 */
export async function serveLocalPolicy(
  dir: string,
  options: PolicyServerOptions & Pick<PolicyRuntimeOptions, 'threads' | 'executionProviders' | 'log'> = {},
): Promise<{ server: PolicyServer; runtime: PolicyRuntime; metadata: Record<string, unknown>; close(): Promise<void> }> {
  const runtime = await PolicyRuntime.load(dir, {
    executor: 'worker',
    threads: options.threads,
    executionProviders: options.executionProviders,
    log: options.log,
  });
  const adapter = new WireAdapter(runtime.manifest);
  const metadata = adapter.metadata();
  let server: PolicyServer;
  try {
    server = await PolicyServer.start(
      {
        metadata: () => metadata,
        infer: async (message) => {
          const { observation, wireState } = adapter.observation(message);
          const step = await runtime.step(observation);
          return {
            [adapter.spec.actions.key]: adapter.actions(step.chunk, wireState),
            policy_timing: { infer_ms: step.timings.totalS * 1000 },
          };
        },
      },
      options,
    );
  } catch (err) {
    await runtime.close();
    throw err;
  }
  return {
    server,
    runtime,
    metadata,
    close: async () => {
      await server.close();
      await runtime.close();
    },
  };
}
