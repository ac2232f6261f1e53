/** The protocol: types, the JSON codec and its input error (PROTOCOL.md), and the text notation of its values. */
export * from './types.ts';
export * from './errors.ts';
export * from './codec.ts';
export * from './text.ts';
export * from './json-error-position.ts';
export * from './capabilities.ts';
export * from './wire.ts';
export * from './subject-errors.ts';
export * from './findings.ts';
