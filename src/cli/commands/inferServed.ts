import { resolve } from 'node:path';
import { VlaError } from '../../errors';
import type { ImageFrame } from '../../observation/Observation';
import type { ServedPolicyManifest } from '../../policy/manifest/ServedPolicyManifest';
import { type CliContext, writeJson, writeLine } from '../CliContext';
import { serverStatsJson, serverStatsLine } from '../policyOptions';
import { type InferOptions, parseState, readImageFile, rows } from './infer';

/**
 * `infer` of a served policy: one request to its server (the manifest's URL or --policy-server) with the images,
 * the state exactly as given (for openpi_sim_panda: 7 joints, then the gripper in [0, 1]) and the instruction;
 * prints the validated actions, the server's metadata and the round trip.
 */
export async function inferServed(ctx: CliContext, manifest: ServedPolicyManifest, opts: InferOptions): Promise<void> {
  const cameras = manifest.cameras.map((c) => c.name);
  if (opts.image.length !== cameras.length) {
    throw new VlaError(
      'ARGUMENT_INVALID',
      `policy ${manifest.name} reads ${cameras.length} camera${cameras.length === 1 ? '' : 's'} ` +
        `(${cameras.join(', ') || 'none'}), got ${opts.image.length} --image`,
      { path: '--image', hint: 'give one --image per camera, in that order' },
    );
  }
  if (manifest.prompt !== undefined && (opts.instruction === undefined || opts.instruction.trim() === '')) {
    throw new VlaError('ARGUMENT_INVALID', `policy ${manifest.name} reads an instruction`, {
      path: '--instruction',
      hint: 'e.g. --instruction "reach the red cube"',
    });
  }
  if (manifest.state !== undefined && opts.state === undefined) {
    throw new VlaError('ARGUMENT_INVALID', `policy ${manifest.name} reads a ${manifest.state.dims}-value state`, {
      path: '--state',
      hint:
        `give --state with ${manifest.state.dims} comma-separated numbers` +
        (manifest.state.gripper === 'unit_interval' ? ' (the joints, then the gripper in [0, 1])' : ''),
    });
  }
  const images = new Map<string, ImageFrame>(cameras.map((camera, i) => [camera, readImageFile(resolve(ctx.cwd, opts.image[i]!))]));
  const position = opts.state === undefined ? new Float64Array(0) : parseState(opts.state);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { RemotePolicy } = require('../../policy/remote/RemotePolicy') as typeof import('../../policy/remote/RemotePolicy');
  const policy = await RemotePolicy.connect(manifest, { url: opts.policyServer });
  try {
    const chunk = await policy.infer({ stampS: 0, images, jointState: { stampS: 0, position }, instruction: opts.instruction ?? '' });
    const actions = rows(chunk.actions, chunk.dims);
    const stats = policy.serverStats();
    if (opts.json === true) {
      writeJson(ctx, { actions, metadata: policy.metadata ?? {}, policy_server: serverStatsJson(stats) });
      return;
    }
    const space = policy.space;
    writeLine(
      ctx,
      `policy ${policy.name} (served): ${space.kind} ${space.frame} actions, chunk of ` +
        `${chunk.horizon} x ${chunk.dims} (execute ${chunk.stepsToExecute}, ${chunk.stepDtS} s apart)`,
    );
    writeLine(ctx, `server metadata: ${JSON.stringify(policy.metadata ?? {})}`);
    const width = Math.max(10, ...space.names.map((n) => n.length + 1));
    writeLine(ctx, `${'step'.padEnd(6)}${space.names.map((n) => n.padStart(width)).join('')}`);
    actions.forEach((row, i) => writeLine(ctx, `${String(i).padEnd(6)}${row.map((v) => v.toFixed(5).padStart(width)).join('')}`));
    writeLine(ctx, `policy server ${serverStatsLine(stats)}`);
  } finally {
    await policy.close();
  }
}
