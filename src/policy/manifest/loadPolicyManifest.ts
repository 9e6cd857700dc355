import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { resolveInside } from '../../config/resolveInside';
import { readYamlFile, type YamlSource, zodIssuesToErrors } from '../../config/yamlSource';
import type { core, z } from 'zod';
import { type ErrorLocation, VlaError, VlaErrorList } from '../../errors';
import { type PolicyManifest, PolicyManifestSchema } from './PolicyManifest';
import { SERVED_POLICY_FORMAT } from './ServedPolicyManifest';

export const MANIFEST_FILE = 'manifest.yaml';

/** A policy folder whose manifest is valid and whose every named file exists. */
export interface PolicyFolder {
  /** Absolute path of the folder. */
  dir: string;
  manifestFile: string;
  manifest: PolicyManifest;
  /** Absolute paths of the model files, in the manifest's roles. */
  modelFile: string;
  decodeModelFile?: string;
  /** Where a manifest field was written, for error messages. */
  at(path: readonly (string | number)[]): ErrorLocation;
  /** A file named in the manifest, resolved against the folder. */
  resolve(relative: string): string;
}

/**
 * Reads `manifest.yaml` from a policy folder (or the manifest path itself), validates it, and checks that every
 * file it names exists. All schema problems are reported together, each with its field and line.
 */
export function loadPolicyManifest(dirOrManifest: string): PolicyFolder {
  const { dir, manifestFile, source } = readManifestSource(dirOrManifest);
  if (isServedFormat(source.value)) {
    throw new VlaError('POLICY_INVALID', `"${manifestFile}" is a served policy (the model runs on a policy server)`, {
      file: manifestFile,
      path: 'format',
      hint: 'load it with loadPolicy (vla-bridge sim/eval/infer/check/run --policy); `serve` serves local ONNX policy folders',
    });
  }
  const manifest = parseManifest(PolicyManifestSchema, source, manifestFile);
  const at = locator(manifestFile, source);
  const resolveFile = (relative: string) => resolveInside(dir, dir, relative, { file: manifestFile }, 'file');

  const missing: VlaError[] = [];
  const need = (relative: string, path: (string | number)[], what: string) => {
    const file = resolveInside(dir, dir, relative, at(path), what);
    if (!existsSync(file)) {
      missing.push(
        new VlaError('FILE_NOT_FOUND', `${what} "${relative}" not found (looked at ${file})`, {
          ...at(path),
          hint: 'file names in the manifest are relative to the policy folder',
        }),
      );
    }
    return file;
  };
  const model = manifest.model;
  const modelFile =
    model.type === 'single_pass'
      ? need(model.file, ['model', 'file'], 'model')
      : need(model.prefill, ['model', 'prefill'], 'prefill model');
  const decodeModelFile =
    model.type === 'autoregressive' && model.decode !== undefined ? need(model.decode, ['model', 'decode'], 'decode model') : undefined;
  if (manifest.prompt !== undefined) need(manifest.prompt.tokenizer, ['prompt', 'tokenizer'], 'tokenizer');
  const decoder = manifest.action.decoder;
  if (decoder.type === 'fast') need(decoder.tokenizer, ['action', 'decoder', 'tokenizer'], 'FAST tokenizer');
  const norm = manifest.action.normalization;
  if (norm.type !== 'none') need(norm.stats.file, ['action', 'normalization', 'stats', 'file'], 'statistics file');
  const stateNorm = manifest.state?.normalization;
  if (stateNorm !== undefined && stateNorm.type !== 'none')
    need(stateNorm.stats.file, ['state', 'normalization', 'stats', 'file'], 'statistics file');
  if (missing.length > 0) throw missing.length === 1 ? missing[0]! : new VlaErrorList(missing);

  return { dir, manifestFile, manifest, modelFile, decodeModelFile, at, resolve: resolveFile };
}

/** The manifest file of a policy folder (or the manifest path itself), read as YAML. */
export function readManifestSource(dirOrManifest: string): { dir: string; manifestFile: string; source: YamlSource } {
  const target = resolve(dirOrManifest);
  if (!existsSync(target)) {
    throw new VlaError('FILE_NOT_FOUND', 'policy folder not found', {
      file: target,
      hint: 'give the folder holding manifest.yaml and the ONNX model',
    });
  }
  const isDir = statSync(target).isDirectory();
  const dir = isDir ? target : dirname(target);
  const manifestFile = isDir ? join(dir, MANIFEST_FILE) : target;
  if (!isDir && !/\.ya?ml$/i.test(target)) {
    throw new VlaError('POLICY_INVALID', 'not a policy folder or a manifest YAML', {
      file: target,
      hint: `give the policy folder (holding ${MANIFEST_FILE}, the ONNX model, tokenizer.json, statistics) or its ${MANIFEST_FILE}`,
    });
  }
  if (!existsSync(manifestFile)) {
    throw new VlaError('FILE_NOT_FOUND', `no ${MANIFEST_FILE} in the policy folder`, {
      file: manifestFile,
      hint: `a policy folder holds ${MANIFEST_FILE} (the input/output contract), the ONNX model, tokenizer.json and the normalization statistics`,
    });
  }
  return { dir, manifestFile, source: readYamlFile(manifestFile) };
}

/** True when a manifest's `format` says the policy is served (`vla_bridge.served_policy/1`). */
export function isServedFormat(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { format?: unknown }).format === SERVED_POLICY_FORMAT;
}

/** Validates a manifest against its schema; every problem is reported, each with its field and line. */
export function parseManifest<T extends z.ZodType>(schema: T, source: YamlSource, manifestFile: string): z.infer<T> {
  // reportInput: issues carry the offending value, so that a missing field reads differently from a wrong one.
  const parsed = schema.safeParse(source.value, { reportInput: true });
  if (parsed.success) return parsed.data;
  const errors = zodIssuesToErrors(parsed.error.issues.map(missingAsRequired), source).map(
    (e) => new VlaError('POLICY_INVALID', e.message, { file: e.file ?? manifestFile, path: e.path, line: e.line, hint: e.hint }),
  );
  throw new VlaErrorList(errors);
}

/** An enum or literal field that is absent reads "missing required field (one of ...)", not "invalid option". */
function missingAsRequired(issue: core.$ZodIssue): core.$ZodIssue {
  if (issue.code !== 'invalid_value' || issue.input !== undefined) return issue;
  return { ...issue, code: 'invalid_type', expected: 'string', message: `one of ${issue.values.map(String).join(', ')}` } as core.$ZodIssue;
}

export function locator(file: string, source: YamlSource) {
  return (path: readonly (string | number)[]): ErrorLocation => ({ file, path: path.join('.'), line: source.lineOf(path) });
}
