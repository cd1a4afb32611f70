// `created_by` as the legacy builder writes it, so `docker history` of a berth-built image reads as Docker's:
// RUN's command (with `|N k=v` for the build args it saw), `#(nop)` comments for everything else.
export function nopCreatedBy(shell: readonly string[], comment: string): string {
  return [...shell, `#(nop) ${comment}`].join(' ');
}

/** A metadata instruction's entry: `/bin/sh -c #(nop)  ENV A=1` (two spaces, as moby's withCmdComment). */
export function metadataCreatedBy(shell: readonly string[], comment: string): string {
  return [...shell, '#(nop) ', comment].join(' ');
}

/** A RUN's entry: its command line, prefixed by the build args in effect (`|2 A=1 B=2 /bin/sh -c make`). */
export function runCreatedBy(cmd: readonly string[], args: readonly [string, string][]): string {
  const prefix = args.length > 0 ? [`|${args.length}`, ...args.map(([k, v]) => `${k}=${v}`)] : [];
  return [...prefix, ...cmd].join(' ');
}
