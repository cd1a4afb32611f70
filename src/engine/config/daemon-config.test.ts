import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InvalidParameter } from '../../errdefs/index.js';
import { DEFAULTS, loadDaemonConfig } from './daemon-config.js';

describe('loadDaemonConfig (dockerd flags and daemon.json)', () => {
  let dir: string;
  let missing: string;
  let n = 0;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-daemon-config-'));
    missing = join(dir, 'absent.json');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Writes a daemon.json and returns its path. */
  async function file(content: unknown): Promise<string> {
    const path = join(dir, `daemon${n++}.json`);
    await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  }

  const invalid = (message: string | RegExp) => (e: unknown) =>
    e instanceof InvalidParameter && (typeof message === 'string' ? e.message === message : message.test(e.message));

  it('max-concurrent-downloads/-uploads from a flag or daemon.json; below 1 is refused', async () => {
    assert.equal((await loadDaemonConfig(['--max-concurrent-downloads=6'], missing)).maxConcurrentDownloads, 6);
    const path = await file({ 'max-concurrent-uploads': 2 });
    assert.equal((await loadDaemonConfig(['--config-file', path], missing)).maxConcurrentUploads, 2);
    await assert.rejects(
      loadDaemonConfig(['--max-concurrent-downloads=0'], missing),
      /invalid max concurrent downloads/,
    );
  });

  it('defaults, when the default daemon.json does not exist', async () => {
    const cfg = await loadDaemonConfig([], missing);
    assert.deepEqual(cfg.hosts, [DEFAULTS.host]);
    assert.equal(cfg.dataRoot, '/var/lib/berth');
    assert.equal(cfg.execRoot, '/run/berth');
    assert.equal(cfg.cgroupParent, 'berth');
    assert.equal(cfg.logLevel, 'info');
    assert.equal(cfg.debug, false);
    assert.equal(cfg.storageDriver, undefined);
    assert.equal(cfg.liveRestore, false);
    assert.equal(cfg.insecureTcp, false);
    assert.deepEqual(cfg.insecureRegistries, []);
    assert.deepEqual(cfg.registryMirrors, []);
    assert.equal(cfg.maxConcurrentDownloads, 3);
    assert.equal(cfg.maxConcurrentUploads, 5);
    assert.deepEqual(cfg.logOpts, {});
    assert.deepEqual(cfg.tls, { verify: false, cacert: undefined, cert: undefined, key: undefined });
    assert.equal(cfg.version, false);
    assert.equal(cfg.help, false);
  });

  it('flags, long and short', async () => {
    const cfg = await loadDaemonConfig(
      [
        '-H',
        'unix:///tmp/a.sock',
        '--host',
        'unix:///tmp/b.sock',
        '--data-root',
        '/d',
        '--exec-root=/e',
        '-s',
        'vfs',
        '--insecure-registry',
        'reg.local:5000',
        '--registry-mirror',
        'https://mirror.local',
        '--live-restore',
        '--cgroup-parent',
        'mine',
        '-p',
        '/run/berthd.pid',
      ],
      missing,
    );
    assert.deepEqual(cfg.hosts, ['unix:///tmp/a.sock', 'unix:///tmp/b.sock']);
    assert.equal(cfg.dataRoot, '/d');
    assert.equal(cfg.execRoot, '/e');
    assert.equal(cfg.storageDriver, 'vfs');
    assert.deepEqual(cfg.insecureRegistries, ['reg.local:5000']);
    assert.deepEqual(cfg.registryMirrors, ['https://mirror.local']);
    assert.equal(cfg.liveRestore, true);
    assert.equal(cfg.cgroupParent, 'mine');
    assert.equal(cfg.pidFile, '/run/berthd.pid');
  });

  it('-D turns debug on and the log level to debug, unless a level is given', async () => {
    const debug = await loadDaemonConfig(['-D'], missing);
    assert.equal(debug.debug, true);
    assert.equal(debug.logLevel, 'debug');
    assert.equal((await loadDaemonConfig(['-D', '-l', 'warn'], missing)).logLevel, 'warn');
  });

  it('refuses an unknown log level', async () => {
    await assert.rejects(
      loadDaemonConfig(['--log-level', 'loud'], missing),
      invalid('unable to parse logging level: loud'),
    );
  });

  it('--log-opt key=value, repeated', async () => {
    const cfg = await loadDaemonConfig(['--log-opt', 'max-size=10m', '--log-opt', 'max-file=3'], missing);
    assert.deepEqual(cfg.logOpts, { 'max-size': '10m', 'max-file': '3' });
    await assert.rejects(loadDaemonConfig(['--log-opt', 'max-size'], missing), invalid(/invalid log-opt: max-size/));
    await assert.rejects(loadDaemonConfig(['--log-opt', '=3'], missing), invalid(/invalid log-opt: =3/));
  });

  it('refuses an unknown flag', async () => {
    await assert.rejects(loadDaemonConfig(['--bogus'], missing), InvalidParameter);
  });

  it("daemon.json keys, with dockerd's names", async () => {
    const path = await file({
      hosts: ['unix:///tmp/c.sock'],
      'data-root': '/data',
      'exec-root': '/exec',
      'storage-driver': 'overlay2',
      'log-level': 'error',
      'insecure-registries': ['r:5000'],
      'registry-mirrors': ['https://m'],
      'live-restore': true,
      'cgroup-parent': 'cg',
      'log-opts': { 'max-size': '1m' },
      pidfile: '/p.pid',
    });
    const cfg = await loadDaemonConfig([], path);
    assert.deepEqual(cfg.hosts, ['unix:///tmp/c.sock']);
    assert.equal(cfg.dataRoot, '/data');
    assert.equal(cfg.execRoot, '/exec');
    assert.equal(cfg.storageDriver, 'overlay2');
    assert.equal(cfg.logLevel, 'error');
    assert.deepEqual(cfg.insecureRegistries, ['r:5000']);
    assert.deepEqual(cfg.registryMirrors, ['https://m']);
    assert.equal(cfg.liveRestore, true);
    assert.equal(cfg.cgroupParent, 'cg');
    assert.deepEqual(cfg.logOpts, { 'max-size': '1m' });
    assert.equal(cfg.pidFile, '/p.pid');
  });

  it('--config-file names the file; flags and the file combine when they do not overlap', async () => {
    const path = await file({ 'data-root': '/from-file' });
    const cfg = await loadDaemonConfig(['--config-file', path, '--exec-root', '/from-flag'], missing);
    assert.equal(cfg.dataRoot, '/from-file');
    assert.equal(cfg.execRoot, '/from-flag');
  });

  it('an empty daemon.json is no configuration', async () => {
    const cfg = await loadDaemonConfig([], await file('  \n'));
    assert.equal(cfg.dataRoot, DEFAULTS.dataRoot);
  });

  it('a --config-file that does not exist is an error', async () => {
    await assert.rejects(
      loadDaemonConfig(['--config-file', missing], missing),
      invalid(new RegExp(`^unable to configure the daemon with file ${missing}: `)),
    );
  });

  it('refuses a daemon.json that is not a JSON object', async () => {
    await assert.rejects(
      loadDaemonConfig([], await file('{ nope')),
      invalid(/^unable to configure the daemon with file/),
    );
    await assert.rejects(loadDaemonConfig([], await file('[1]')), invalid(/not a JSON object/));
  });

  it('refuses an unknown daemon.json key', async () => {
    await assert.rejects(
      loadDaemonConfig([], await file({ 'data-root': '/d', 'bogus-key': 1 })),
      invalid("the following directives don't match any configuration option: bogus-key"),
    );
  });

  it("refuses a key given as a flag and in daemon.json with dockerd's message", async () => {
    const path = await file({ 'data-root': '/b', debug: true });
    await assert.rejects(
      loadDaemonConfig(['--data-root', '/a'], path),
      invalid(
        'the following directives are specified both as a flag and in the configuration file: data-root: (from flag: /a, from file: /b)',
      ),
    );
    // Lists print as Go prints them.
    const hosts = await file({ hosts: ['unix:///tmp/y.sock'] });
    await assert.rejects(
      loadDaemonConfig(['-H', 'unix:///tmp/x.sock'], hosts),
      invalid(
        'the following directives are specified both as a flag and in the configuration file: hosts: (from flag: [unix:///tmp/x.sock], from file: [unix:///tmp/y.sock])',
      ),
    );
    await assert.rejects(loadDaemonConfig(['-D'], path), invalid(/debug: \(from flag: true, from file: true\)/));
  });

  it('refuses a list key that is not a list of strings', async () => {
    await assert.rejects(
      loadDaemonConfig([], await file({ hosts: 'unix:///x.sock' })),
      invalid('invalid daemon.json: "hosts" must be a list of strings'),
    );
  });

  it('refuses tcp:// without TLS, unless --insecure-tcp', async () => {
    await assert.rejects(
      loadDaemonConfig(['-H', 'tcp://0.0.0.0:2375'], missing),
      invalid(/^refusing to listen on tcp:\/\/0\.0\.0\.0:2375 without TLS/),
    );
    const insecure = await loadDaemonConfig(['-H', 'tcp://0.0.0.0:2375', '--insecure-tcp'], missing);
    assert.equal(insecure.insecureTcp, true);
    assert.deepEqual(insecure.hosts, ['tcp://0.0.0.0:2375']);
  });

  it('accepts tcp:// with full TLS verification', async () => {
    const cfg = await loadDaemonConfig(
      ['-H', 'tcp://0.0.0.0:2376', '--tlsverify', '--tlscacert', '/ca', '--tlscert', '/cert', '--tlskey', '/key'],
      missing,
    );
    assert.deepEqual(cfg.tls, { verify: true, cacert: '/ca', cert: '/cert', key: '/key' });
    // Verification without the certificates is not enough.
    await assert.rejects(loadDaemonConfig(['-H', 'tcp://0.0.0.0:2376', '--tlsverify'], missing), InvalidParameter);
  });

  it('refuses other host schemes', async () => {
    await assert.rejects(
      loadDaemonConfig(['-H', 'fd://'], missing),
      invalid('invalid host: fd://: only unix:// and tcp:// are supported'),
    );
  });

  it('--version and --help', async () => {
    assert.equal((await loadDaemonConfig(['-v'], missing)).version, true);
    assert.equal((await loadDaemonConfig(['--help'], missing)).help, true);
  });
});
