// The build's progress as the legacy builder streams it: JSON messages the docker CLI prints as they come
// (`{"stream":"Step 1/3 : FROM busybox\n"}`, ` ---> Using cache`, `{"aux":{"ID":…}}`); a failure is the route's
// error message, with the failing step's exit code.
export type Emit = (msg: object) => void;

export class BuildOutput {
  constructor(
    private readonly emit: Emit,
    /** `-q`: only the final ID (and errors) are printed by the CLI; the daemon still sends nothing else. */
    private readonly quiet: boolean,
  ) {}

  line(text: string): void {
    if (!this.quiet) this.emit({ stream: `${text}\n` });
  }

  /** A step's own output (a RUN's stdout/stderr), passed on as it comes. */
  raw(chunk: Buffer): void {
    if (!this.quiet) this.emit({ stream: chunk.toString('utf8') });
  }

  step(n: number, total: number, original: string): void {
    this.line(`Step ${n}/${total} : ${original}`);
  }

  image(id: string): void {
    this.line(` ---> ${shortId(id)}`);
  }

  progress(msg: object): void {
    if (!this.quiet) this.emit(msg);
  }

  aux(id: string): void {
    this.emit({ aux: { ID: id } });
  }
}

export const shortId = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);
