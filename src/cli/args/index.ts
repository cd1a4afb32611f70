// berth CLI argument handling with the docker CLI's rules: the pflag-compatible parser, help text, the command table,
// value parsers and the run/create/exec/update request builders.
export * from './commands.js';
export * from './container-options.js';
export * from './global-options.js';
export * from './parser.js';
export * from './usage.js';
export * from './values.js';
export type * from './wire.js';
