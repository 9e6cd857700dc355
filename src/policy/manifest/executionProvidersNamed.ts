import { VlaError } from '../../errors';
import { EXECUTION_PROVIDERS, type ExecutionProvider } from './PolicyManifest';

/**
 * `cuda,cpu` -> ['cuda', 'cpu'] (onnxruntime execution providers in order of preference), or ARGUMENT_INVALID
 * naming the unknown provider and `where` (the option or parameter that gave the list).
 */
export function executionProvidersNamed(list: string, where: string): ExecutionProvider[] {
  const names = list.split(',').map((s) => s.trim().toLowerCase());
  for (const n of names) {
    if (!(EXECUTION_PROVIDERS as readonly string[]).includes(n)) {
      throw new VlaError('ARGUMENT_INVALID', `unknown execution provider "${n}"`, {
        path: where,
        hint: `use ${EXECUTION_PROVIDERS.join(', ')} (comma-separated, in order of preference)`,
      });
    }
  }
  return names as ExecutionProvider[];
}
