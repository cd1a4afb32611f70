import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COMMANDS, commandHelp, commandSpec, findCommand } from './commands.js';
import { GLOBAL_OPTIONS_RECORDING, HELP_RECORDINGS } from './docker-cli-help-recordings.js';
import { globalOptionsHelp, parseGlobalOptions } from './global-options.js';
import { FlagError, parseFlags } from './parser.js';
import { checkArgs, flagErrorText, flagUsages, renderHelp, withHelpText } from './usage.js';

test('help for every recorded command is byte-for-byte what docker prints', () => {
  assert.ok(Object.keys(HELP_RECORDINGS).length >= 50);
  for (const [path, want] of Object.entries(HELP_RECORDINGS)) {
    assert.equal(renderHelp(commandHelp(commandSpec(path))), want, `docker ${path} --help`);
  }
});

test('the management form of a command differs from the shorthand only in its usage line', () => {
  const top = renderHelp(commandHelp(commandSpec('stop')));
  const managed = renderHelp(commandHelp(commandSpec('container stop')));
  assert.equal(managed.replace('docker container stop [OPTIONS]', 'docker stop [OPTIONS]'), top);
  assert.match(renderHelp(commandHelp(commandSpec('ps'), 'berth')), /^Usage: {2}berth ps \[OPTIONS\]\n/);
});

test('global options help matches docker --help with HOME=/root', () => {
  assert.equal(globalOptionsHelp({ HOME: '/root' }), GLOBAL_OPTIONS_RECORDING);
});

test('flag usages wrap at the given width and hide hidden and deprecated flags', () => {
  const out = flagUsages(
    [
      { name: 'signal', short: 's', type: 'string', description: 'Signal to send to the container' },
      { name: 'time', type: 'int', deprecated: 'use --timeout', description: 'old' },
      { name: 'secret', type: 'bool', hidden: true, description: 'x' },
      { name: 'pull', type: 'string', default: 'missing', description: 'Pull image before running' },
      { name: 'annotation', type: 'map', description: 'Add an annotation' },
    ],
    0,
  );
  assert.equal(
    out,
    [
      '      --annotation map   Add an annotation (default map[])',
      '      --pull string      Pull image before running (default "missing")',
      '  -s, --signal string    Signal to send to the container',
      '',
    ].join('\n'),
  );
});

test('flag errors and post-parse errors read as docker prints them', () => {
  let err: unknown;
  try {
    parseFlags(commandSpec('run').flags, ['--foo'], { interspersed: false });
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof FlagError);
  assert.equal(
    flagErrorText('docker run', commandSpec('run').usage, err.message),
    "unknown flag: --foo\n\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'docker run --help' for more information",
  );
  assert.equal(
    withHelpText('docker run', 'invalid containerPort: abc'),
    "docker: invalid containerPort: abc\n\nRun 'docker run --help' for more information",
  );
});

test('argument counts are checked with docker texts (typo in "at most" included)', () => {
  const run = commandSpec('run');
  assert.equal(checkArgs(run.args, 'docker run', run.usage, ['busybox']), undefined);
  assert.equal(
    checkArgs(run.args, 'docker run', run.usage, []),
    "docker: 'docker run' requires at least 1 argument\n\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nSee 'docker run --help' for more information",
  );
  const images = commandSpec('images');
  assert.equal(
    checkArgs(images.args, 'docker images', images.usage, ['a', 'b']),
    "docker: 'docker images' requires at most 1 argument\n\nUsage:  docker images [OPTIONS] [REPOSITORY[:TAG]]\n\nSRun 'docker images --help' for more information",
  );
  const rename = commandSpec('rename');
  assert.equal(
    checkArgs(rename.args, 'docker rename', rename.usage, ['a']),
    "docker: 'docker rename' requires 2 arguments\n\nUsage:  docker rename CONTAINER NEW_NAME\n\nRun 'docker rename --help' for more information",
  );
  const commit = commandSpec('commit');
  assert.equal(
    checkArgs(commit.args, 'docker commit', commit.usage, []),
    "docker: 'docker commit' requires at least 1 and at most 2 arguments\n\nUsage:  docker commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]\n\nRun 'docker commit --help' for more information",
  );
  const ls = commandSpec('container ls');
  assert.equal(
    checkArgs(ls.args, 'docker container ls', ls.usage, ['x']),
    "docker: 'docker container ls' accepts no arguments\n\nUsage:  docker container ls [OPTIONS]\n\nRun 'docker container ls --help' for more information",
  );
});

test('findCommand resolves shorthands, management paths and their aliases', () => {
  assert.equal(findCommand(['ps', '-a'])?.spec.path, 'ps');
  assert.deepEqual(findCommand(['ps', '-a'])?.rest, ['-a']);
  assert.equal(findCommand(['container', 'ps', '-q'])?.spec.path, 'container ls');
  assert.equal(findCommand(['container', 'list'])?.spec.path, 'container ls');
  assert.equal(findCommand(['image', 'remove', 'x'])?.spec.path, 'image rm');
  assert.equal(findCommand(['system', 'df'])?.spec.path, 'system df');
  assert.equal(findCommand(['container', 'run', 'busybox'])?.spec.path, 'container run');
  assert.equal(findCommand(['nope']), undefined);
  // Every path and alias is unique.
  const keys = COMMANDS.flatMap((c) => [c.path, ...(c.aliases ?? [])]);
  assert.equal(new Set(keys).size, keys.length);
});

test('each command table entry parses its own flags', () => {
  const ps = findCommand(['ps', '-aq', '--filter', 'status=exited', '-f', 'label=a=b', '-f', 'status=running'])!;
  const p = parseFlags(ps.spec.flags, ps.rest);
  assert.equal(p.bool('all'), true);
  assert.equal(p.bool('quiet'), true);
  assert.equal(p.number('last'), -1);
  assert.deepEqual(p.get('filter'), { status: { exited: true, running: true }, label: { 'a=b': true } });
  const logs = parseFlags(commandSpec('logs').flags, ['-ft', '-n', '10', 'c']);
  assert.equal(logs.string('tail'), '10');
  assert.deepEqual(parseFlags(commandSpec('logs').flags, ['c']).string('tail'), 'all');
  const stop = parseFlags(commandSpec('stop').flags, ['-t', '3', '-s', 'SIGINT', 'a', 'b']);
  assert.equal(stop.number('timeout'), 3);
  assert.deepEqual(stop.args, ['a', 'b']);
  // commit stops at the container: a later -p=false is its REPOSITORY argument, and pause keeps its default.
  const commit = parseFlags(commandSpec('commit').flags, ['c', '-p=false'], { interspersed: false });
  assert.equal(commit.bool('pause'), true);
  assert.deepEqual(commit.args, ['c', '-p=false']);
  assert.equal(commandSpec('commit').interspersed, false);
  const top = parseFlags(commandSpec('top').flags, ['c', '-ef'], { interspersed: commandSpec('top').interspersed });
  assert.deepEqual(top.args, ['c', '-ef']);
  assert.throws(
    () => parseFlags(commandSpec('ps').flags, ['-f', 'nope']),
    /^FlagError: invalid argument "nope" for "-f, --filter" flag: bad format of filter \(expected name=value\)$/,
  );
  assert.throws(() => parseFlags(commandSpec('stop').flags, ['-t', 'x', 'c']), {
    message: 'invalid argument "x" for "-t, --timeout" flag: strconv.ParseInt: parsing "x": invalid syntax',
  });
});

test('the global pass stops at the command and reads docker root flags', () => {
  const g = parseGlobalOptions(
    ['-H', 'unix:///x.sock', '-D', '--log-level', 'warn', '--tlsverify', 'run', '-d', 'busybox'],
    {
      HOME: '/home/u',
    },
  );
  assert.deepEqual(g.rest, ['run', '-d', 'busybox']);
  assert.deepEqual(g.options.hosts, ['unix:///x.sock']);
  assert.equal(g.options.debug, true);
  assert.equal(g.options.logLevel, 'warn');
  assert.equal(g.options.tls, true);
  assert.equal(g.options.config, '/home/u/.docker');
  assert.equal(g.options.tlsCACert, '/home/u/.docker/ca.pem');
  assert.deepEqual(g.changed, ['host', 'debug', 'log-level', 'tlsverify']);
  assert.equal(parseGlobalOptions(['-v']).options.version, true);
  assert.equal(parseGlobalOptions(['--help']).options.help, true);
  assert.equal(parseGlobalOptions(['-c', 'ctx', 'ps'], { DOCKER_CONFIG: '/cfg' }).options.config, '/cfg');
  assert.throws(() => parseGlobalOptions(['--foo', 'ps']), { message: 'unknown flag: --foo' });
  assert.throws(() => parseGlobalOptions(['-H']), { message: "flag needs an argument: 'H' in -H" });
});
