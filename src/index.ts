/** The package's public API. */
export * from './policy';
export * from './safety';
export * from './ros';
