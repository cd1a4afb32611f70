// berth: the docker-compatible command line. Wires the process's streams and environment to the CLI and exits with
// the command's status once its output is written.
import { Client } from '../client/index.js';
import { main } from '../cli/main.js';
import { exitWhenFlushed } from '../lib/exit-flushed.js';

// bin/berth hands NODE_EXTRA_CA_CERTS over under another name (Node would parse the certificates at start-up);
// the environment the CLI works with is the user's.
if (process.env.BERTH_NODE_EXTRA_CA_CERTS !== undefined) {
  process.env.NODE_EXTRA_CA_CERTS = process.env.BERTH_NODE_EXTRA_CA_CERTS;
  delete process.env.BERTH_NODE_EXTRA_CA_CERTS;
}

const streams = {
  get stdin() {
    return process.stdin;
  },
  stdout: process.stdout,
  stderr: process.stderr,
};

// Output to a closed pipe ends the process quietly, as SIGPIPE ends the docker CLI.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(141);
});

main(process.argv.slice(2), {
  streams,
  env: process.env,
  newClient: (overrides) => Client.fromEnv(process.env, overrides),
}).then(
  (code) => exitWhenFlushed(code),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    exitWhenFlushed(1);
  },
);
