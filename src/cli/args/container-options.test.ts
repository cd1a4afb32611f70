// toCreateRequest / toExecCreateRequest / toUpdateRequest against request bodies the real docker CLI sent
// (docker-cli-recordings.ts says how they were recorded).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isInvalidParameter } from '../../errdefs/index.js';
import {
  CREATE_FLAGS,
  type CliContext,
  EXEC_FLAGS,
  RUN_FLAGS,
  toCreateRequest,
  toExecCreateRequest,
  toExecStartRequest,
  toUpdateRequest,
  UPDATE_FLAGS,
} from './container-options.js';
import { CREATE_RECORDINGS, CWD, ENV, EXEC_RECORDINGS, FILES, UPDATE_RECORDINGS } from './docker-cli-recordings.js';
import { parseFlags, UsageError } from './parser.js';

const readFile = (p: string): string => {
  const name = p.startsWith(`${CWD}/`) ? p.slice(CWD.length + 1) : p;
  const c = FILES[name];
  if (c === undefined) throw Object.assign(new Error(`ENOENT ${p}`), { code: 'ENOENT' });
  return c;
};
const ctx = (extra: CliContext = {}): CliContext => ({
  env: { ...ENV },
  cwd: CWD,
  readFile,
  daemonHost: 'unix:///tmp/fake/x.sock',
  ...extra,
});

const create = (argv: string[], extra?: CliContext) => {
  const [verb, ...rest] = argv;
  const p = parseFlags(verb === 'run' ? RUN_FLAGS : CREATE_FLAGS, rest, { interspersed: false });
  return toCreateRequest(p, ctx(extra));
};

const queryOf = (o: ReturnType<typeof create>) => {
  const q = new URLSearchParams();
  if (o.platform) q.set('platform', o.platform);
  if (o.name) q.set('name', o.name);
  const s = q.toString();
  return `/containers/create${s ? `?${s}` : ''}`;
};

// docker fills Env (-e) and Binds through Go maps, so their order varies from run to run.
const unordered = (body: Record<string, unknown>) => {
  const b = structuredClone(body) as { Env?: string[] | null; HostConfig?: { Binds?: string[] | null } };
  if (Array.isArray(b.Env)) b.Env.sort();
  if (Array.isArray(b.HostConfig?.Binds)) b.HostConfig.Binds.sort();
  return b;
};

test('create/run bodies equal what the docker CLI sent, field for field and in the same key order', () => {
  assert.ok(CREATE_RECORDINGS.length >= 25);
  for (const rec of CREATE_RECORDINGS) {
    const o = create(rec.argv, rec.consoleSize ? { consoleSize: rec.consoleSize } : {});
    const got = JSON.parse(JSON.stringify(o.request)) as Record<string, unknown>;
    assert.deepEqual(unordered(got), unordered(rec.body), rec.name);
    assert.equal(queryOf(o), rec.url, `${rec.name}: query`);
    // Key order too (Go struct order, sorted map keys), so the JSON text matches once Env/Binds are sorted.
    assert.equal(JSON.stringify(unordered(got)), JSON.stringify(unordered(rec.body)), `${rec.name}: key order`);
  }
});

test('env-file entries come first and in file order; -e values follow, last value per key wins', () => {
  const o = create([
    'create',
    '--env-file',
    'env.list',
    '-e',
    'FOO=bar',
    '-e',
    'FOO_FROM_ENV',
    '-e',
    'X',
    '-e',
    'FOO=2',
    'busybox',
  ]);
  assert.deepEqual(o.request.Env, [
    'FROMFILE=1',
    'SPACED=lead',
    'HOME=/root',
    'EMPTY=',
    'FOO=2',
    'FOO_FROM_ENV=fromenv',
    'X',
  ]);
});

test('-it sets AttachStdin/OpenStdin/StdinOnce/Tty; run -d clears the attach fields and StdinOnce', () => {
  const it = create(['run', '-it', 'busybox']);
  assert.equal(it.request.AttachStdin, true);
  assert.equal(it.request.OpenStdin, true);
  assert.equal(it.request.StdinOnce, true);
  assert.equal(it.request.Tty, true);
  assert.deepEqual(it.attach, ['stdin', 'stdout', 'stderr']);
  assert.equal(it.sigProxy, true);
  const d = create(['run', '-d', '-it', 'busybox']);
  assert.deepEqual(
    [d.request.AttachStdin, d.request.AttachStdout, d.request.AttachStderr, d.request.StdinOnce, d.request.OpenStdin],
    [false, false, false, false, true],
  );
  assert.equal(d.detach, true);
  assert.deepEqual(d.attach, []);
  // create has no -d, --sig-proxy or --detach-keys; the config file's keys apply.
  const c = create(['create', '-i', 'busybox'], { configDetachKeys: 'ctrl-q' });
  assert.equal(c.detach, false);
  assert.equal(c.sigProxy, false);
  assert.equal(c.detachKeys, 'ctrl-q');
  assert.equal(
    create(['run', '--detach-keys', 'ctrl-x', 'busybox'], { configDetachKeys: 'ctrl-q' }).detachKeys,
    'ctrl-x',
  );
});

test('command, entrypoint, name, pull, cidfile and the rest of the client-side options', () => {
  const o = create([
    'run',
    '--name',
    'web',
    '--pull',
    'never',
    '-q',
    '--cidfile',
    '/tmp/cid',
    '--rm',
    'busybox',
    'ls',
    '-l',
  ]);
  assert.deepEqual(o.request.Cmd, ['ls', '-l']);
  assert.equal(o.request.Image, 'busybox');
  assert.equal(o.name, 'web');
  assert.equal(o.pull, 'never');
  assert.equal(o.quiet, true);
  assert.equal(o.cidfile, '/tmp/cid');
  assert.equal(o.rm, true);
  assert.equal(o.request.HostConfig.AutoRemove, true);
  assert.equal(o.request.HostConfig.ContainerIDFile, '/tmp/cid');
  assert.deepEqual(create(['create', '--entrypoint', '', 'busybox']).request.Entrypoint, ['']);
  assert.equal(create(['create', 'busybox']).request.Entrypoint, null);
  assert.equal(create(['create', 'busybox']).request.HostConfig.NetworkMode, 'default');
  assert.equal(create(['create', 'busybox']).pull, 'missing');
});

test('DOCKER_DEFAULT_PLATFORM applies when --platform is not given', () => {
  assert.equal(
    create(['create', 'busybox'], { env: { DOCKER_DEFAULT_PLATFORM: 'linux/arm64/v8' } }).platform,
    'linux/arm64/v8',
  );
  assert.equal(
    create(['create', '--platform', 'linux/amd64', 'busybox'], { env: { DOCKER_DEFAULT_PLATFORM: 'linux/arm64' } })
      .platform,
    'linux/amd64',
  );
  assert.equal(create(['create', 'busybox']).platform, undefined);
});

test('localhost DNS gets the CLI warning', () => {
  assert.deepEqual(create(['create', '--dns', '127.0.0.1', 'busybox']).warnings, [
    'Localhost DNS (127.0.0.1) may fail in containers.',
  ]);
  assert.deepEqual(create(['create', '--dns', '8.8.8.8', 'busybox']).warnings, []);
});

const usageError = (argv: string[], message: string) =>
  assert.throws(
    () => create(argv),
    (e: unknown) => e instanceof UsageError && e.message === message,
    `${argv.join(' ')} → UsageError(${message})`,
  );
const plainError = (argv: string[], message: string, extra?: CliContext) =>
  assert.throws(
    () => create(argv, extra),
    (e: unknown) => isInvalidParameter(e) && !(e instanceof UsageError) && e.message === message,
  );

test('errors docker reports with a pointer to --help (exit status 125) are UsageErrors', () => {
  usageError(
    ['create', '--rm', '--restart', 'always', 'busybox'],
    'conflicting options: cannot specify both --restart and --rm',
  );
  usageError(
    ['create', '--restart', ':3', 'busybox'],
    'invalid restart policy format: no policy provided before colon',
  );
  usageError(['create', '-p', 'abc', 'busybox'], 'invalid containerPort: abc');
  usageError(['create', '--expose', '80:80', 'busybox'], 'invalid port format for --expose: 80:80');
  usageError(['create', '-v', '/a:/b:ro:x', 'busybox'], 'invalid spec: /a:/b:ro:x: too many colons');
  usageError(['create', '--env-file', 'nonexist.env', 'busybox'], 'open nonexist.env: no such file or directory');
  usageError(['create', '--health-interval', '-1s', 'busybox'], '--health-interval cannot be negative');
  usageError(
    ['create', '--no-healthcheck', '--health-cmd', 'x', 'busybox'],
    '--no-healthcheck conflicts with --health-* options',
  );
  usageError(
    ['create', '--memory-swappiness', '101', 'busybox'],
    'invalid value: 101. Valid memory swappiness range is 0-100',
  );
  usageError(['create', '--pid', 'foo', 'busybox'], '--pid: invalid PID mode');
  usageError(['create', '--uts', 'foo', 'busybox'], '--uts: invalid UTS mode');
  usageError(['create', '--userns', 'foo', 'busybox'], '--userns: invalid USER mode');
  usageError(['create', '--cgroupns', 'foo', 'busybox'], '--cgroupns: invalid CGROUP mode');
  usageError(['create', '--log-driver', 'none', '--log-opt', 'a=b', 'busybox'], 'invalid logging opts for driver none');
  usageError(['create', '--security-opt', 'foo', 'busybox'], 'Invalid --security-opt: "foo"');
  usageError(['create', '--storage-opt', 'foo', 'busybox'], 'invalid storage option');
  usageError(['create', '--device', 'a:b', 'busybox'], 'b is not an absolute path');
  usageError(['create', '--mac-address', 'zz', 'busybox'], 'zz is not a valid mac address');
  usageError(
    ['create', '--network-alias', 'a', 'busybox'],
    'network-scoped aliases are only supported for user-defined networks',
  );
  usageError(
    ['create', '--network', 'net1', '--network', 'host', 'busybox'],
    'conflicting options: cannot attach both user-defined and non-user-defined network-modes',
  );
  usageError(['create', '--network', 'n', '--network', 'n', 'busybox'], 'network "n" is specified multiple times');
  usageError(
    ['create', '--network', 'name=n,alias=a', '--network-alias', 'b', 'busybox'],
    'conflicting options: cannot specify both --network-alias and per-network alias',
  );
  usageError(
    ['create', '--pull', 'foo', 'busybox'],
    `invalid pull option: 'foo': must be one of "always", "missing" or "never"`,
  );
});

test('errors docker prints plainly (exit status 1) stay plain InvalidParameters', () => {
  plainError(
    ['run', '-d', '-a', 'stdout', 'busybox'],
    'conflicting options: cannot specify both --attach and --detach',
  );
  plainError(
    ['create', '--platform', 'foo', 'busybox'],
    'error parsing specified platform: "foo": unknown operating system or architecture: invalid argument',
  );
  plainError(
    ['create', '--use-api-socket', 'busybox'],
    'flag --use-api-socket can only be used with unix sockets: docker endpoint tcp://127.0.0.1:1 incompatible',
    { daemonHost: 'tcp://127.0.0.1:1' },
  );
});

test('exec bodies equal what the docker CLI sent, and the start body follows', () => {
  for (const rec of EXEC_RECORDINGS) {
    const p = parseFlags(EXEC_FLAGS, rec.argv.slice(1), { interspersed: false });
    const o = toExecCreateRequest(p, ctx(rec.consoleSize ? { consoleSize: rec.consoleSize } : {}));
    assert.equal(o.container, 'c1');
    assert.equal(JSON.stringify(o.request), JSON.stringify(rec.body), rec.name);
    if (rec.start) assert.deepEqual(toExecStartRequest(o), rec.start, `${rec.name}: start`);
  }
  assert.throws(() => toExecCreateRequest(parseFlags(EXEC_FLAGS, ['c1'], { interspersed: false }), ctx()), {
    message: "'docker exec' requires at least 2 arguments",
  });
});

test('update bodies equal what the docker CLI sent; no flags is an error', () => {
  for (const rec of UPDATE_RECORDINGS) {
    const o = toUpdateRequest(parseFlags(UPDATE_FLAGS, rec.argv.slice(1)));
    assert.deepEqual(o.containers, ['c1']);
    assert.equal(JSON.stringify(o.request), JSON.stringify(rec.body), rec.name);
  }
  assert.throws(() => toUpdateRequest(parseFlags(UPDATE_FLAGS, ['c1'])), {
    message: 'you must provide one or more flags when using this command',
  });
  assert.equal(toUpdateRequest(parseFlags(UPDATE_FLAGS, ['--pids-limit', '-1', 'c1'])).request.PidsLimit, -1);
});
