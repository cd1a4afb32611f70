// The Dockerfile parser's public surface: parsing, variable substitution and typed views of instructions.
export { DockerfileParseError } from './errors.js';
export { expandInstruction } from './expand.js';
export { expandWord, expandWords } from './lex.js';
export { parseRunMount, parseRunMounts, type RunMount, type RunMountType } from './mounts.js';
export { parseDockerfile } from './parse.js';
export type { Directives, Dockerfile, Flags, Heredoc, Instruction, Stage } from './types.js';
export { parseArg, parseCopyFlags, parseEnvPairs, parseFrom, parseHealthcheck } from './views.js';
