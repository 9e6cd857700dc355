/**
 * Times `fn` in batches of `batch` calls and returns microseconds per call, one sample per batch (batching
 * keeps the timer's own cost out of sub-microsecond figures). Runs `warmup` batches first.
 */
export function timeMicros(fn: () => void, options: { samples: number; batch: number; warmup?: number }): Float64Array {
  const { samples, batch } = options;
  for (let w = 0; w < (options.warmup ?? Math.ceil(samples / 10)); w++) for (let i = 0; i < batch; i++) fn();
  const out = new Float64Array(samples);
  for (let s = 0; s < samples; s++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) fn();
    out[s] = Number(process.hrtime.bigint() - t0) / 1e3 / batch;
  }
  return out;
}
