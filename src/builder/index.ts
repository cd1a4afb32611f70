// The builder (issue 15): Dockerfiles into images. dockerfile/ parses, context/ reads the uploaded context and makes
// COPY's tars, executor/ runs the steps over the BuildBackend the engine provides.
export type { BuildBackend, BuildImage, RunStep, StepMount, WorkLayer } from './backend.js';
export * from './executor/index.js';
