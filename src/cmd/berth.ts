// berth: the docker-compatible command line. Wires the process's streams and environment to the CLI and exits with
// the command's status once its output is written.
import { Client } from '../client/index.js';
import { main } from '../cli/main.js';

const streams = {
  get stdin() {
    return process.stdin;
  },
  stdout: process.stdout,
  stderr: process.stderr,
};

main(process.argv.slice(2), {
  streams,
  env: process.env,
  newClient: (overrides) => Client.fromEnv(process.env, overrides),
}).then(
  (code) => exit(code),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    exit(1);
  },
);

// Exits once stdout and stderr have taken everything written to them (pipes may still hold some).
function exit(code: number): void {
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}
