/** The protocol: types, the JSON codec and its input error (PROTOCOL.md). */
export * from './types.ts';
export * from './errors.ts';
export * from './codec.ts';
