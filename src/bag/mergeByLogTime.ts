/**
 * Merges sources that are each in log-time order into one stream in log-time order. Equal times keep source
 * order (the earlier source first), so the merge is deterministic.
 */
export async function* mergeByLogTime<T extends { logTimeNs: bigint }>(sources: readonly AsyncIterable<T>[]): AsyncGenerator<T> {
  if (sources.length === 1) {
    yield* sources[0]!;
    return;
  }
  const iterators = sources.map((s) => s[Symbol.asyncIterator]());
  const heads: (T | undefined)[] = await Promise.all(
    iterators.map(async (it) => {
      const r = await it.next();
      return r.done === true ? undefined : r.value;
    }),
  );
  try {
    for (;;) {
      let best = -1;
      for (let i = 0; i < heads.length; i++) {
        const head = heads[i];
        if (head !== undefined && (best < 0 || head.logTimeNs < heads[best]!.logTimeNs)) best = i;
      }
      if (best < 0) return;
      yield heads[best]!;
      const r = await iterators[best]!.next();
      heads[best] = r.done === true ? undefined : r.value;
    }
  } finally {
    await Promise.all(iterators.map((it, i) => (heads[i] !== undefined ? it.return?.() : undefined)));
  }
}
