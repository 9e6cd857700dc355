import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { VlaError } from '../../errors';
import type { CompressedImageFrame, ImageFrame } from '../../observation/Observation';
import { readImageHeader } from '../../policy/preprocess/imageHeader';
import { loadPolicyManifest } from '../../policy/manifest/loadPolicyManifest';
import { type CliContext, parseNumberOption, writeJson, writeLine } from '../CliContext';
import { addExecutionProviderOption, addPolicyServerOption, parseExecutionProviders, type PolicyCliOptions } from '../policyOptions';
import { loadServedManifest } from '../../policy/loadPolicy';
import { inferServed } from './inferServed';

export interface InferOptions extends PolicyCliOptions {
  policy: string;
  image: string[];
  instruction?: string;
  state?: string;
  threads?: string;
  json?: boolean;
}

/** A PNG or JPEG file as a CompressedImage frame (decoded by the policy's preprocessing, with OpenCV). */
export function readImageFile(file: string): CompressedImageFrame {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new VlaError(
      code === 'ENOENT' ? 'FILE_NOT_FOUND' : 'FILE_UNREADABLE',
      code === 'ENOENT' ? 'image not found' : `cannot read image (${code ?? String(err)})`,
      { file, path: '--image' },
    );
  }
  const header = readImageHeader(data, { file });
  return { kind: 'compressed', stampS: 0, frameId: file, format: header.format, data };
}

export function parseState(text: string): Float64Array {
  const parts = text.split(',').map((s) => s.trim());
  return Float64Array.from(parts, (p) => parseNumberOption(p, '--state'));
}

export function rows(values: Float64Array, dims: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < values.length; i += dims) out.push(Array.from(values.subarray(i, i + dims)));
  return out;
}

export function registerInfer(program: Command, ctx: CliContext): void {
  const command = program
    .command('infer')
    .description('one inference on still images: the tokens, the normalized and the final actions a policy would produce')
    .requiredOption('--policy <dir>', 'policy folder (manifest.yaml, ONNX model, tokenizer.json, statistics)')
    .option(
      '--image <file>',
      'PNG or JPEG, one per camera in the manifest order (repeat the option)',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--instruction <text>', 'what the robot should do (policies that read language)')
    .option('--state <values>', 'comma-separated joint state, in the embodiment joint order (policies with a state input)')
    .option('--threads <n>', 'onnxruntime threads')
    .option('--json', 'machine-readable output on stdout: {"tokens":[...],"actions":[[...]],"normalized":[[...]]}');
  addPolicyServerOption(command);
  addExecutionProviderOption(command);
  command.action(async (opts: InferOptions) => {
    const served = loadServedManifest(resolve(ctx.cwd, opts.policy));
    if (served !== undefined) return inferServed(ctx, served, opts);
    const threads =
      opts.threads === undefined ? undefined : parseNumberOption(opts.threads, '--threads', { integer: true, min: 1, max: 256 });
    // Everything the user gave is checked before onnxruntime loads: the manifest, the images' headers, the state.
    const folder = loadPolicyManifest(resolve(ctx.cwd, opts.policy));
    const m = folder.manifest;
    const name = m.name;
    const cameras = m.cameras.map((c) => c.name);
    if (opts.image.length !== cameras.length) {
      throw new VlaError(
        'ARGUMENT_INVALID',
        `policy ${name} reads ${cameras.length} camera${cameras.length === 1 ? '' : 's'} (${cameras.join(', ') || 'none'}), got ${opts.image.length} --image`,
        {
          path: '--image',
          hint: 'give one --image per camera, in that order',
        },
      );
    }
    if (m.prompt !== undefined && (opts.instruction === undefined || opts.instruction.trim() === '')) {
      throw new VlaError('ARGUMENT_INVALID', `policy ${name} reads an instruction`, {
        path: '--instruction',
        hint: 'e.g. --instruction "pick up the red cup"',
      });
    }
    if (m.state !== undefined && opts.state === undefined) {
      throw new VlaError('ARGUMENT_INVALID', `policy ${name} reads a ${m.state.dims}-value state (${m.state.source})`, {
        path: '--state',
        hint: `give --state with ${m.state.dims} comma-separated numbers`,
      });
    }
    const images = new Map<string, ImageFrame>(cameras.map((camera, i) => [camera, readImageFile(resolve(ctx.cwd, opts.image[i]!))]));
    const position = opts.state === undefined ? new Float64Array(0) : parseState(opts.state);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { PolicyRuntime } = require('../../policy/runtime/PolicyRuntime') as typeof import('../../policy/runtime/PolicyRuntime');
    const runtime = await PolicyRuntime.load(folder.manifestFile, {
      threads,
      executor: 'in_process',
      executionProviders: parseExecutionProviders(opts.executionProvider),
    });
    try {
      const step = await runtime.step({ stampS: 0, images, jointState: { stampS: 0, position }, instruction: opts.instruction ?? '' });
      const { chunk, timings } = step;
      const actions = rows(chunk.actions, chunk.dims);
      const normalized = rows(chunk.normalized ?? new Float64Array(0), chunk.dims);
      if (opts.json === true) {
        writeJson(ctx, chunk.tokens === undefined ? { actions, normalized } : { tokens: chunk.tokens, actions, normalized });
        return;
      }
      const space = runtime.space;
      writeLine(
        ctx,
        `policy ${runtime.name}: ${space.kind} ${space.frame} actions, chunk of ${chunk.horizon} x ` +
          `${chunk.dims} (execute ${chunk.stepsToExecute}, ${chunk.stepDtS} s apart)`,
      );
      if (step.promptIds.length > 0) writeLine(ctx, `prompt: ${step.promptIds.length} tokens`);
      if (chunk.tokens !== undefined) writeLine(ctx, `tokens: ${chunk.tokens.join(' ')}`);
      const width = Math.max(10, ...space.names.map((n) => n.length + 1));
      const fmt = (v: number) => v.toFixed(5).padStart(width);
      writeLine(ctx, `${'step'.padEnd(6)}${space.names.map((n) => n.padStart(width)).join('')}`);
      actions.forEach((row, i) => {
        writeLine(ctx, `${String(i).padEnd(6)}${row.map(fmt).join('')}`);
        writeLine(ctx, `${'  norm'.padEnd(6)}${(normalized[i] ?? []).map(fmt).join('')}`);
      });
      const ms = (s: number) => (s * 1000).toFixed(2);
      writeLine(
        ctx,
        `time ${ms(timings.totalS)} ms: preprocess ${ms(timings.preprocessS)}, tokenize ` +
          `${ms(timings.tokenizeS)}, model ${ms(timings.inferenceS)}, decode ${ms(timings.decodeS)}`,
      );
    } finally {
      await runtime.close();
    }
  });
}
