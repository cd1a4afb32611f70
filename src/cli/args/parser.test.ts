import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isInvalidParameter } from '../../errdefs/index.js';
import { FlagError, type FlagSpec, parseFlags, unsupportedFlags } from './parser.js';

const FLAGS: FlagSpec[] = [
  { name: 'interactive', short: 'i', type: 'bool', description: '' },
  { name: 'tty', short: 't', type: 'bool', description: '' },
  { name: 'detach', short: 'd', type: 'bool', description: '' },
  { name: 'rm', type: 'bool', description: '' },
  { name: 'sig-proxy', type: 'bool', default: true, description: '' },
  { name: 'name', type: 'string', description: '' },
  { name: 'env', short: 'e', type: 'list', description: '' },
  { name: 'memory', short: 'm', type: 'bytes', description: '' },
  { name: 'timeout', type: 'int', description: '' },
  { name: 'time', type: 'int', dest: 'timeout', deprecated: 'use --timeout instead', description: '' },
  { name: 'last', short: 'n', type: 'int', default: -1, description: '' },
  { name: 'weight', type: 'uint16', description: '' },
  { name: 'ratio', type: 'float', description: '' },
  { name: 'interval', type: 'duration', description: '' },
  { name: 'platform', type: 'stringSlice', description: '' },
  { name: 'tag', type: 'stringArray', default: ['latest'], description: '' },
  { name: 'sysctl', type: 'map', description: '' },
  { name: 'label', short: 'l', type: 'list', validate: (v) => v.toUpperCase(), description: '' },
  { name: 'cpus', type: 'value', typeName: 'decimal', parse: (v) => Number(v) * 1e9, description: '' },
  { name: 'hostname', short: 'h', type: 'string', description: '' },
];

const parse = (argv: string[], interspersed = true) => parseFlags(FLAGS, argv, { interspersed });

const flagError = (argv: string[], message: string, interspersed = true) =>
  assert.throws(
    () => parse(argv, interspersed),
    (e: unknown) => e instanceof FlagError && isInvalidParameter(e) && e.message === message,
  );

test('long flags take values as --flag=value and --flag value', () => {
  const p = parse(['--name=web', '--memory', '512m']);
  assert.equal(p.string('name'), 'web');
  assert.equal(p.number('memory'), 512 * 1024 * 1024);
  // A value may itself start with "-" when it follows a flag that needs one (pflag takes the next word).
  assert.equal(parse(['--name', '--rm']).string('name'), '--rm');
  assert.equal(parse(['--name=']).string('name'), '');
});

test('short flags take values as -f value, -fvalue and -f=value', () => {
  assert.deepEqual(parse(['-e', 'A=1', '-eB=2', '-e=C=3']).list('env'), ['A=1', 'B=2', 'C=3']);
  assert.equal(parse(['-m1g']).number('memory'), 1024 ** 3);
});

test('grouped shorthands: -it, -itd, and a value-taking flag last in the group', () => {
  const p = parse(['-itd']);
  assert.equal(p.bool('interactive'), true);
  assert.equal(p.bool('tty'), true);
  assert.equal(p.bool('detach'), true);
  const q = parse(['-ite', 'A=1']);
  assert.deepEqual(q.list('env'), ['A=1']);
  // The rest of the group is the value: -ieFOO=bar gives FOO=bar to -e.
  assert.deepEqual(parse(['-ieFOO=bar']).list('env'), ['FOO=bar']);
});

test('bool flags accept =true/=false (and Go ParseBool spellings) but never take the next word', () => {
  assert.equal(parse(['--rm=false']).bool('rm'), false);
  assert.equal(parse(['--rm=1']).bool('rm'), true);
  assert.equal(parse(['--sig-proxy=F']).bool('sig-proxy'), false);
  assert.equal(parse([]).bool('sig-proxy'), true);
  const p = parse(['--rm', 'false']);
  assert.equal(p.bool('rm'), true);
  assert.deepEqual(p.args, ['false']);
  flagError(
    ['--rm=maybe'],
    'invalid argument "maybe" for "--rm" flag: strconv.ParseBool: parsing "maybe": invalid syntax',
  );
});

test('repeated flags: lists accumulate, scalars keep the last value, maps merge', () => {
  const p = parse([
    '-e',
    'A',
    '--env',
    'B',
    '--name',
    'x',
    '--name',
    'y',
    '--sysctl',
    'a=1',
    '--sysctl',
    'b',
    '--sysctl',
    'a=2',
  ]);
  assert.deepEqual(p.list('env'), ['A', 'B']);
  assert.equal(p.string('name'), 'y');
  assert.deepEqual(p.map('sysctl'), { a: '2', b: '' });
});

test('stringSlice splits on commas; stringArray replaces its default on first use', () => {
  const p = parse(['--platform', 'linux/amd64,linux/arm64', '--platform', 'linux/386']);
  assert.deepEqual(p.list('platform'), ['linux/amd64', 'linux/arm64', 'linux/386']);
  assert.deepEqual(parse([]).list('tag'), ['latest']);
  assert.deepEqual(parse(['--tag', 'a', '--tag', 'b']).list('tag'), ['a', 'b']);
});

test('validators rewrite list values; value flags parse with their own function', () => {
  const p = parse(['-l', 'a=b', '--cpus', '1.5']);
  assert.deepEqual(p.list('label'), ['A=B']);
  assert.equal(p.get<number>('cpus'), 1.5e9);
});

test('numbers follow Go: base prefixes for ints, ranges checked, durations in ns', () => {
  assert.equal(parse(['--last', '0x10']).number('last'), 16);
  assert.equal(parse(['--last', '010']).number('last'), 8);
  assert.equal(parse(['--last', '-5']).number('last'), -5);
  assert.equal(parse([]).number('last'), -1);
  assert.equal(parse(['--weight', '65535']).number('weight'), 65535);
  assert.equal(parse(['--ratio', '2.5']).number('ratio'), 2.5);
  assert.equal(parse(['--interval', '1m30s']).number('interval'), 90e9);
  flagError(
    ['--last', '1.5'],
    'invalid argument "1.5" for "-n, --last" flag: strconv.ParseInt: parsing "1.5": invalid syntax',
  );
  flagError(
    ['--weight', '70000'],
    'invalid argument "70000" for "--weight" flag: strconv.ParseUint: parsing "70000": value out of range',
  );
  flagError(
    ['--weight', '-1'],
    'invalid argument "-1" for "--weight" flag: strconv.ParseUint: parsing "-1": invalid syntax',
  );
  flagError(
    ['--ratio', 'x'],
    'invalid argument "x" for "--ratio" flag: strconv.ParseFloat: parsing "x": invalid syntax',
  );
  flagError(['--interval', 'x'], 'invalid argument "x" for "--interval" flag: time: invalid duration "x"');
  flagError(['-m', 'abc'], `invalid argument "abc" for "-m, --memory" flag: invalid size: 'abc'`);
});

test('"--" ends the flags; what follows is positional even if it looks like a flag', () => {
  const p = parse(['--rm', '--', '-it', '--name', 'x']);
  assert.equal(p.bool('rm'), true);
  assert.deepEqual(p.args, ['-it', '--name', 'x']);
  assert.equal(p.argsLenAtDash, 0);
  assert.equal(parse(['a', '--', 'b']).argsLenAtDash, 1);
  assert.equal(parse(['a']).argsLenAtDash, -1);
});

test('interspersed: flags anywhere; not interspersed (run/exec): flags stop at the first positional', () => {
  const inter = parse(['busybox', '--rm', 'ls']);
  assert.equal(inter.bool('rm'), true);
  assert.deepEqual(inter.args, ['busybox', 'ls']);
  const run = parse(['-it', 'busybox', 'ls', '-l', '--rm'], false);
  assert.equal(run.bool('tty'), true);
  assert.equal(run.bool('rm'), false);
  assert.deepEqual(run.args, ['busybox', 'ls', '-l', '--rm']);
  // "-" alone is a positional.
  assert.deepEqual(parse(['-', '--rm'], false).args, ['-', '--rm']);
});

test('syntax errors have pflag texts', () => {
  flagError(['--foo'], 'unknown flag: --foo');
  flagError(['--foo=bar'], 'unknown flag: --foo');
  flagError(['-x'], "unknown shorthand flag: 'x' in -x");
  flagError(['-ix'], "unknown shorthand flag: 'x' in -x");
  flagError(['--name'], 'flag needs an argument: --name');
  flagError(['-e'], "flag needs an argument: 'e' in -e");
  flagError(['-ie'], "flag needs an argument: 'e' in -e");
  flagError(['---x'], 'bad flag syntax: ---x');
  flagError(['--=x'], 'bad flag syntax: --=x');
  // An unknown flag after the first positional is not an error when flags stop there.
  assert.deepEqual(parse(['img', '--foo'], false).args, ['img', '--foo']);
});

test('--help is detected (cobra adds it; -h too unless a flag owns -h); --help=false is not help', () => {
  assert.equal(parse(['--help']).help, true);
  assert.equal(parse(['--help=false']).help, false);
  // -h is --hostname in this set.
  assert.equal(parse(['-h', 'box']).string('hostname'), 'box');
  const ps = parseFlags([{ name: 'all', short: 'a', type: 'bool', description: '' }], ['-ah']);
  assert.equal(ps.help, true);
  assert.deepEqual(ps.warnings, ['Flag shorthand -h has been deprecated, use --help']);
  // With interspersed off, --help after the image belongs to the container.
  assert.equal(parse(['busybox', '--help'], false).help, false);
});

test('a deprecated alias writes its target and warns; changed() tells the two apart', () => {
  const p = parse(['--time', '5']);
  assert.equal(p.number('timeout'), 5);
  assert.equal(p.changed('time'), true);
  assert.equal(p.changed('timeout'), false);
  assert.deepEqual(p.warnings, ['Flag --time has been deprecated, use --timeout instead']);
  assert.equal(p.nFlag, 1);
  assert.deepEqual(parse(['--rm', '-e', 'a', '-e', 'b']).setOrder, ['rm', 'env']);
});

test('invalid values name the flag as help shows it, quoting like Go', () => {
  flagError(['-m', 'a"b'], `invalid argument "a\\"b" for "-m, --memory" flag: invalid size: 'a"b'`);
  flagError(['--memory=\t'], `invalid argument "\\t" for "-m, --memory" flag: invalid size: '\t'`);
});

test('unsupportedFlags reports flags the daemon cannot take, as docker does', () => {
  const specs: FlagSpec[] = [
    { name: 'cpu-count', type: 'int', osType: 'windows', description: '' },
    { name: 'platform', type: 'string', minApiVersion: '1.50', description: '' },
    { name: 'checkpoint', type: 'string', experimental: true, description: '' },
    { name: 'init', type: 'bool', minApiVersion: '1.25', description: '' },
  ];
  const daemon = { apiVersion: '1.47', osType: 'linux', experimental: false };
  const p = parseFlags(specs, ['--platform', 'x', '--cpu-count', '2', '--checkpoint', 'c', '--init']);
  assert.equal(
    unsupportedFlags(p, specs, daemon),
    [
      '"--checkpoint" is only supported on a Docker daemon with experimental features enabled',
      '"--cpu-count" is only supported on a Docker daemon running on windows, but the Docker daemon is running on linux',
      '"--platform" requires API version 1.50, but the Docker daemon API version is 1.47',
    ].join('\n'),
  );
  assert.equal(unsupportedFlags(parseFlags(specs, ['--init']), specs, daemon), undefined);
});
