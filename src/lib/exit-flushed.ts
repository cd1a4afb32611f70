// Ends a one-shot command: process.exit once stdout and stderr have taken everything written to them (pipes may still
// hold some). An explicit exit skips Node's teardown of the whole environment at a natural end, which costs a
// short-lived command a few milliseconds.
export function exitWhenFlushed(code: number): void {
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}
