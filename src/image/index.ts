// Images: references (reference.ts), OCI/Docker config and manifest types (types.ts), and the image store (store/).
export * from './reference.js';
export * from './store/index.js';
export * from './types.js';
