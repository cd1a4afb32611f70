// berth-runtime: an OCI runtime with runc's command line, over berth's runtime library.
import { detectCgroupDriver } from '../runtime/cgroups/index.js';
import { exitWhenFlushed } from '../lib/exit-flushed.js';
import { Runtime } from '../runtime/runtime.js';
import { parseVerbArgs } from '../runtime-cli/args.js';
import { VERBS, exitCodeFor } from '../runtime-cli/commands.js';
import { syncCgroupFs } from '../sys/index.js';

const USAGE = `Usage: berth-runtime [--root DIR] COMMAND [OPTIONS] ID
Commands: ${Object.keys(VERBS).join(', ')}
`;

async function main(argv: string[]): Promise<number> {
  const global = parseVerbArgs(
    argv,
    {
      root: { type: 'string' },
      debug: { type: 'boolean' },
      log: { type: 'string' },
      'log-format': { type: 'string' },
      'systemd-cgroup': { type: 'boolean' },
      rootless: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
    1,
  );
  if (global.values.version) {
    process.stdout.write('berth-runtime version 0.1.0\nspec: 1.2.0\n');
    return 0;
  }
  const verb = global.positionals[0];
  const run = verb ? VERBS[verb] : undefined;
  if (!run) {
    process.stderr.write(verb ? `berth-runtime: unknown command "${verb}"\n${USAGE}` : USAGE);
    return global.values.help ? 0 : 1;
  }
  const root = typeof global.values.root === 'string' ? global.values.root : '/run/berth-runtime';
  // One container at a time: cgroup files through direct syscalls (see syncCgroupFs).
  const rt = await Runtime.open({
    root,
    cgroups: await detectCgroupDriver(syncCgroupFs),
    removeEmptyCgroupParent: true,
  });
  return run(rt, global.rest);
}

main(process.argv.slice(2)).then(
  (code) => exitWhenFlushed(code),
  (e: unknown) => {
    process.stderr.write(`berth-runtime: ${e instanceof Error ? e.message : String(e)}\n`);
    exitWhenFlushed(exitCodeFor(e));
  },
);
