// parseDockerfile: text → directives, meta ARGs and stages, failing as Docker 20.10's builder does: scanner errors
// carry their bare message, instruction errors read `dockerfile parse error line N: …`.
import { DockerfileParseError, messageOf } from './errors.js';
import { toInstruction } from './instructions.js';
import { scan } from './scanner.js';
import type { Dockerfile, Instruction, Stage } from './types.js';

export function parseDockerfile(text: string): Dockerfile {
  const { directives, nodes } = scan(text);
  const instructions: Instruction[] = [];
  for (const node of nodes) {
    try {
      instructions.push(toInstruction(node, node.startLine, node.heredocs));
    } catch (e) {
      throw new DockerfileParseError(`dockerfile parse error line ${node.startLine}: ${messageOf(e)}`, node.startLine);
    }
  }
  const metaArgs: Instruction[] = [];
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const name = ins.args.length === 3 ? (ins.args[2] as string).toLowerCase() : undefined;
      const stage: Stage = { index: stages.length, from: ins, instructions: [] };
      if (name !== undefined) stage.name = name;
      stages.push(stage);
      continue;
    }
    const current = stages[stages.length - 1];
    if (!current) {
      if (ins.keyword === 'ARG') {
        metaArgs.push(ins);
        continue;
      }
      throw new DockerfileParseError('no build stage in current context', ins.line);
    }
    current.instructions.push(ins);
  }
  return { directives, metaArgs, stages };
}
