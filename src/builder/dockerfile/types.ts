// The parsed shape of a Dockerfile the builder's executor consumes: instructions with raw (unexpanded) arguments,
// grouped into stages.

export interface Directives {
  escape: '\\' | '`';
  syntax?: string;
}

export interface Heredoc {
  name: string;
  /** The body, line endings kept; with `chomp` its lines' leading tabs are already stripped. */
  content: string;
  /** False when the delimiter was quoted (`<<"EOF"`, `<<'EOF'`): the body is taken literally. */
  expand: boolean;
  /** `<<-EOF`: leading tabs stripped from the body and the delimiter line. */
  chomp: boolean;
}

/** `--from=x --chown=a:b` → { from: ['x'], chown: ['a:b'] }; a repeated flag (--mount) keeps every value. */
export interface Flags {
  [name: string]: string[];
}

export interface Instruction {
  /** Upper-case keyword: FROM, RUN, COPY, … */
  keyword: string;
  /** 1-based line of the instruction's first line. */
  line: number;
  /** The instruction as written, continuations joined, comments and heredoc bodies left out. */
  original: string;
  /** Flag values as written (boolean flags given without a value read 'true'). */
  flags: Flags;
  /** Raw arguments: JSON form → the array's elements; shell form of RUN/CMD/ENTRYPOINT → [command text];
   *  ENV/LABEL → [k1, v1, k2, v2, …]; ONBUILD → [inner keyword, …inner args]; HEALTHCHECK → [type, …command]. */
  args: string[];
  /** Written in JSON array (exec) form. */
  json: boolean;
  /** RUN/CMD/ENTRYPOINT (and HEALTHCHECK CMD) in shell form: the command text. */
  shellForm?: string;
  heredocs: Heredoc[];
  /** ENV/LABEL: key/value pairs as written (quotes kept until expansion). */
  pairs?: [string, string][];
  /** ONBUILD: the trigger instruction, parsed the same way. */
  onbuild?: Instruction;
  /** ONBUILD: the trigger's text as Docker stores it in the image config (`ONBUILD ` removed). */
  trigger?: string;
  healthcheck?: { test: string[] };
  /** Set by expandInstruction: arguments, pairs and expandable flags hold their substituted values. */
  expanded?: boolean;
}

export interface Stage {
  index: number;
  /** Lower-cased `AS` name. */
  name?: string;
  from: Instruction;
  instructions: Instruction[];
}

export interface Dockerfile {
  directives: Directives;
  /** ARGs before the first FROM. */
  metaArgs: Instruction[];
  stages: Stage[];
}
