export * from './attributes.ts';
export * from './foreign.ts';
export * from './metrics.ts';
export * from './values.ts';
export * from './accelerators.ts';
