// The Engine API's wire shapes in one place (Docker's field casing). Imports nothing but errdefs.
export * from './containers.js';
export * from './exec.js';
export * from './system.js';
export const API_VERSION = '1.47';
export const MIN_API_VERSION = '1.24';
export * from './images.js';
export * from './networks.js';
export * from './registry.js';
export * from './volumes.js';
export * from './stdcopy.js';
