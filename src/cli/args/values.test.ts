// Value parsers. Error texts were checked against the docker v28.2.2 CLI (`docker create <flag> <value>` against a
// recording socket) unless a test says otherwise.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isInvalidParameter } from '../../errdefs/index.js';
import {
  addExposedPorts,
  bytesSize,
  compactJSON,
  convertToStandardNotation,
  dedupeEnv,
  filterArgs,
  filtersToJSON,
  formatCpus,
  formatDuration,
  fromHumanSize,
  humanSize,
  isCdiQualifiedName,
  kvStringsToMap,
  normalizeCapabilities,
  normalizePlatform,
  parseCpus,
  parseDevice,
  parseDuration,
  parseFilter,
  parseGpuRequest,
  parseKeyValueFile,
  parseLink,
  parseLoggingOpts,
  parseMount,
  parseNetworkOpt,
  parsePortRange,
  parsePortSpecs,
  parseRestartPolicy,
  parseSecurityOpts,
  parseSignal,
  parseStorageOpts,
  parseSystemPaths,
  parseTmpfs,
  parseUlimit,
  parseVolumeSpec,
  ramInBytes,
  readKVStrings,
  signalName,
  splitVolumes,
  validateAttach,
  validateDevice,
  validateDeviceCgroupRule,
  validateDNSSearch,
  validateEnv,
  validateExtraHost,
  validateIPAddress,
  validateLabel,
  validatePullOpt,
  validateSysctl,
  validateThrottleBpsDevice,
  validateThrottleIOpsDevice,
  validateWeightDevice,
  validCgroupnsMode,
  validPidMode,
} from './values.js';

const throwsMsg = (fn: () => unknown, message: string) =>
  assert.throws(fn, (e: unknown) => e instanceof Error && e.message === message);
const invalid = (fn: () => unknown, message: string) =>
  assert.throws(fn, (e: unknown) => isInvalidParameter(e) && e.message === message);

test('RAMInBytes: binary units, optional b/ib, spaces, fractions, and go-units errors', () => {
  assert.equal(ramInBytes('1024'), 1024);
  assert.equal(ramInBytes('512m'), 512 * 1024 ** 2);
  assert.equal(ramInBytes('1g'), 1024 ** 3);
  assert.equal(ramInBytes('1.5g'), 1.5 * 1024 ** 3);
  assert.equal(ramInBytes('1k'), 1024);
  assert.equal(ramInBytes('1kb'), 1024);
  assert.equal(ramInBytes('1KiB'), 1024);
  assert.equal(ramInBytes('1 g'), 1024 ** 3);
  assert.equal(ramInBytes('5 '), 5);
  assert.equal(ramInBytes('.5k'), 512);
  assert.equal(ramInBytes('1e3'), 1000);
  assert.equal(ramInBytes('1.9'), 1);
  assert.equal(ramInBytes('1_000'), 1000);
  assert.equal(ramInBytes('64M'), 64 * 1024 ** 2);
  // int64(float) overflow, as Go on amd64 does it.
  assert.equal(ramInBytes('100000p'), -(2 ** 63));
  invalid(() => ramInBytes('abc'), "invalid size: 'abc'");
  invalid(() => ramInBytes('-1'), "invalid size: '-1'");
  invalid(() => ramInBytes('b'), "invalid size: 'b'");
  invalid(() => ramInBytes('1x'), "invalid suffix: 'x'");
  invalid(() => ramInBytes('1gig'), "invalid suffix: 'gig'");
  throwsMsg(() => ramInBytes('1gb2'), 'strconv.ParseFloat: parsing "1gb2": invalid syntax');
  throwsMsg(() => ramInBytes('1.2.3'), 'strconv.ParseFloat: parsing "1.2.3": invalid syntax');
  throwsMsg(() => ramInBytes('1  g'), 'strconv.ParseFloat: parsing "1 ": invalid syntax');
  throwsMsg(() => ramInBytes('  5'), 'strconv.ParseFloat: parsing "  5": invalid syntax');
});

test('FromHumanSize uses decimal units; HumanSize and BytesSize print 4 significant digits', () => {
  assert.equal(fromHumanSize('1kB'), 1000);
  assert.equal(fromHumanSize('1.5GB'), 1.5e9);
  assert.equal(humanSize(2746000), '2.746MB');
  assert.equal(humanSize(796000), '796kB');
  assert.equal(humanSize(0), '0B');
  assert.equal(bytesSize(44 * 1024), '44KiB');
  assert.equal(bytesSize(17 * 1024 ** 2), '17MiB');
  assert.equal(bytesSize(1536), '1.5KiB');
});

test('ParseDuration follows Go (values in ns) and its error texts', () => {
  assert.equal(parseDuration('1m30s'), 90e9);
  assert.equal(parseDuration('500ms'), 500e6);
  assert.equal(parseDuration('1h'), 3600e9);
  assert.equal(parseDuration('1.5s'), 1.5e9);
  assert.equal(parseDuration('.5s'), 0.5e9);
  assert.equal(parseDuration('1.s'), 1e9);
  assert.equal(parseDuration('1us'), 1000);
  assert.equal(parseDuration('1µs'), 1000);
  assert.equal(parseDuration('1μs'), 1000);
  assert.equal(parseDuration('1ns1us'), 1001);
  assert.equal(parseDuration('0'), 0);
  assert.equal(parseDuration('+5s'), 5e9);
  assert.equal(parseDuration('-1.5h'), -5400e9);
  assert.equal(parseDuration('2562047h'), 9223369200000000000);
  invalid(() => parseDuration('x'), 'time: invalid duration "x"');
  invalid(() => parseDuration(''), 'time: invalid duration ""');
  invalid(() => parseDuration('1'), 'time: missing unit in duration "1"');
  invalid(() => parseDuration('1d'), 'time: unknown unit "d" in duration "1d"');
  invalid(() => parseDuration('1e3s'), 'time: unknown unit "e" in duration "1e3s"');
  invalid(() => parseDuration('2562048h'), 'time: invalid duration "2562048h"');
  invalid(() => parseDuration('1.2.3s'), 'time: missing unit in duration "1.2.3s"');
  invalid(() => parseDuration('1é'), 'time: unknown unit "\\xc3\\xa9" in duration "1\\xc3\\xa9"');
});

test('Duration.String renders as Go does', () => {
  assert.equal(formatDuration(0), '0s');
  assert.equal(formatDuration(90e9), '1m30s');
  assert.equal(formatDuration(3600e9), '1h0m0s');
  assert.equal(formatDuration(1.5e9), '1.5s');
  assert.equal(formatDuration(500e6), '500ms');
  assert.equal(formatDuration(1500), '1.5µs');
  assert.equal(formatDuration(12), '12ns');
  assert.equal(formatDuration(-2e9), '-2s');
});

test('--cpus: decimals, fractions and exponents to NanoCpus; errors as the CLI', () => {
  assert.equal(parseCpus('1.5'), 1_500_000_000);
  assert.equal(parseCpus('3/2'), 1_500_000_000);
  assert.equal(parseCpus('1e-3'), 1_000_000);
  assert.equal(parseCpus('1.5e1'), 15_000_000_000);
  assert.equal(parseCpus('.5'), 500_000_000);
  assert.equal(parseCpus('2.'), 2_000_000_000);
  assert.equal(parseCpus('-1'), -1_000_000_000);
  assert.equal(parseCpus('0x10'), 16_000_000_000);
  assert.equal(parseCpus('0x1p-1'), 500_000_000);
  assert.equal(parseCpus('010/2'), 4_000_000_000);
  invalid(() => parseCpus('abc'), 'failed to parse abc as a rational number');
  invalid(() => parseCpus('1/0'), 'failed to parse 1/0 as a rational number');
  invalid(() => parseCpus(' 1'), 'failed to parse  1 as a rational number');
  invalid(() => parseCpus('0.0000000001'), 'value is too precise');
  invalid(() => parseCpus('1/3'), 'value is too precise');
  assert.equal(formatCpus(1_500_000_000), '1.500');
  assert.equal(formatCpus(0), '');
});

test('ulimits: name=soft[:hard], unlimited -1, go-units errors', () => {
  assert.deepEqual(parseUlimit('nofile=1024:2048'), { Name: 'nofile', Hard: 2048, Soft: 1024 });
  assert.deepEqual(parseUlimit('nofile=1024'), { Name: 'nofile', Hard: 1024, Soft: 1024 });
  assert.deepEqual(parseUlimit('core=5:-1'), { Name: 'core', Hard: -1, Soft: 5 });
  assert.deepEqual(parseUlimit('nofile=-1'), { Name: 'nofile', Hard: -1, Soft: -1 });
  invalid(() => parseUlimit('nofile'), 'invalid ulimit argument: nofile');
  invalid(() => parseUlimit('foo=1'), 'invalid ulimit type: foo');
  invalid(() => parseUlimit('as=1'), 'invalid ulimit type: as');
  invalid(() => parseUlimit('nofile=2:1'), 'ulimit soft limit must be less than or equal to hard limit: 2 > 1');
  invalid(
    () => parseUlimit('nofile=-1:10'),
    'ulimit soft limit must be less than or equal to hard limit: soft: -1 (unlimited), hard: 10',
  );
  invalid(
    () => parseUlimit('nofile=1:2:3'),
    'too many limit value arguments - 1:2:3, can only have up to two, `soft[:hard]`',
  );
  throwsMsg(() => parseUlimit('nofile=a'), 'strconv.ParseInt: parsing "a": invalid syntax');
  throwsMsg(
    () => parseUlimit('nofile=99999999999999999999'),
    'strconv.ParseInt: parsing "99999999999999999999": value out of range',
  );
});

test('-e: KEY=value kept, bare KEY from the CLI environment when set, else kept bare', () => {
  const env: Record<string, string> = { HOME: '/root', EMPTY: '' };
  const lookup = (k: string) => env[k];
  assert.equal(validateEnv('A=1', lookup), 'A=1');
  assert.equal(validateEnv('A=', lookup), 'A=');
  assert.equal(validateEnv('HOME', lookup), 'HOME=/root');
  assert.equal(validateEnv('EMPTY', lookup), 'EMPTY=');
  assert.equal(validateEnv('UNSET', lookup), 'UNSET');
  invalid(() => validateEnv('=x', lookup), 'invalid environment variable: =x');
  assert.deepEqual(dedupeEnv(['A=1', 'B', 'A=2', 'C=x=y']), ['A=2', 'B', 'C=x=y']);
});

test('env and label files: comments, blanks, BOM, CRLF, bare keys, whitespace errors', () => {
  const content = '\ufeff# comment\r\n\r\nA=1\r\n\t  B= spaced \nHOME\nUNSET\nEMPTY=\n';
  const lookup = (k: string) => (k === 'HOME' ? '/root' : undefined);
  assert.deepEqual(parseKeyValueFile(content, 'f.env', lookup), ['A=1', 'B= spaced ', 'HOME=/root', 'EMPTY=']);
  // Label files have no lookup: bare keys are dropped.
  assert.deepEqual(parseKeyValueFile('a=1\nb\n', 'labels'), ['a=1']);
  invalid(
    () => parseKeyValueFile('FOO BAR=1\n', 'bad.env'),
    "invalid env file (bad.env): variable 'FOO BAR' contains whitespaces",
  );
  invalid(() => parseKeyValueFile('=x\n', 'bad2.env'), "invalid env file (bad2.env): no variable name on line '=x'");
  invalid(
    () => parseKeyValueFile(Uint8Array.from([0x41, 0x3d, 0xff, 0x0a]), 'badutf.env'),
    'invalid env file (badutf.env): invalid utf8 bytes at line 1: [65 61 255]',
  );
});

test('readKVStrings: files in order, then the flag values; a missing file is an open error', () => {
  const files: Record<string, string> = { 'f1.env': 'X=1\n', 'f2.env': 'X=2\nY\n' };
  const readFile = (p: string) => {
    const c = files[p];
    if (c === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    return c;
  };
  assert.deepEqual(
    readKVStrings(['f1.env', 'f2.env'], ['X=3'], () => 'y', readFile),
    ['X=1', 'X=2', 'Y=y', 'X=3'],
  );
  invalid(
    () => readKVStrings(['nonexist.env'], [], undefined, readFile),
    'open nonexist.env: no such file or directory',
  );
});

test('labels: key[=value], empty names and whitespace rejected', () => {
  assert.equal(validateLabel('a=b'), 'a=b');
  assert.equal(validateLabel('x=y z'), 'x=y z');
  assert.equal(validateLabel('  c=1'), '  c=1');
  invalid(() => validateLabel('=x'), "invalid label '=x': empty name");
  invalid(() => validateLabel('a b=c'), "label 'a b' contains whitespaces");
  assert.deepEqual(kvStringsToMap(['a=b', 'c', 'd=e=f', 'a=z']), { a: 'z', c: '', d: 'e=f' });
});

test('--restart: format checks only, names are the daemon business', () => {
  assert.deepEqual(parseRestartPolicy('no'), { Name: 'no', MaximumRetryCount: 0 });
  assert.deepEqual(parseRestartPolicy('always'), { Name: 'always', MaximumRetryCount: 0 });
  assert.deepEqual(parseRestartPolicy('unless-stopped'), { Name: 'unless-stopped', MaximumRetryCount: 0 });
  assert.deepEqual(parseRestartPolicy('on-failure'), { Name: 'on-failure', MaximumRetryCount: 0 });
  assert.deepEqual(parseRestartPolicy('on-failure:3'), { Name: 'on-failure', MaximumRetryCount: 3 });
  assert.deepEqual(parseRestartPolicy('on-failure:'), { Name: 'on-failure', MaximumRetryCount: 0 });
  assert.deepEqual(parseRestartPolicy('foo'), { Name: 'foo', MaximumRetryCount: 0 });
  assert.deepEqual(parseRestartPolicy(''), { Name: '', MaximumRetryCount: 0 });
  invalid(() => parseRestartPolicy(':3'), 'invalid restart policy format: no policy provided before colon');
  invalid(
    () => parseRestartPolicy('on-failure:x'),
    'invalid restart policy format: maximum retry count must be an integer',
  );
});

test('signals: numbers and names in any case, with or without SIG (moby/sys/signal texts)', () => {
  assert.equal(parseSignal('9'), 9);
  assert.equal(parseSignal('KILL'), 9);
  assert.equal(parseSignal('sigterm'), 15);
  assert.equal(parseSignal('SIGINT'), 2);
  assert.equal(parseSignal('RTMIN+3'), 37);
  assert.equal(parseSignal('SIGRTMAX-1'), 63);
  assert.equal(parseSignal('CHLD'), 17);
  invalid(() => parseSignal('FOO'), 'invalid signal: FOO');
  invalid(() => parseSignal('0'), 'invalid signal: 0');
  invalid(() => parseSignal(''), 'invalid signal: ');
  assert.equal(signalName(15), 'SIGTERM');
  assert.equal(signalName(17), 'SIGCHLD');
  assert.equal(signalName(99), undefined);
});

test('-v: bind and volume specs as compose loader.ParseVolume reads them', () => {
  assert.deepEqual(parseVolumeSpec('/host:/ctr:ro'), {
    type: 'bind',
    source: '/host',
    target: '/ctr',
    readOnly: true,
    mode: 'ro',
  });
  assert.deepEqual(parseVolumeSpec('named:/data'), {
    type: 'volume',
    source: 'named',
    target: '/data',
    readOnly: false,
    mode: '',
  });
  assert.equal(parseVolumeSpec('/anon').source, '');
  assert.equal(parseVolumeSpec('/anon').target, '/anon');
  assert.equal(parseVolumeSpec('ab').target, 'ab');
  assert.deepEqual(parseVolumeSpec('/x:/y:rslave,z,nocopy'), {
    type: 'bind',
    source: '/x',
    target: '/y',
    readOnly: false,
    mode: 'rslave,z,nocopy',
    propagation: 'rslave',
    noCopy: true,
  });
  assert.equal(parseVolumeSpec('C:\\foo:/bar').source, 'C:\\foo');
  assert.equal(parseVolumeSpec('~/x:/y').type, 'bind');
  invalid(() => parseVolumeSpec(''), 'invalid empty volume spec');
  invalid(() => parseVolumeSpec('/a:/b:ro:x'), 'invalid spec: /a:/b:ro:x: too many colons');
  invalid(() => parseVolumeSpec('/a:/b:'), 'invalid spec: /a:/b:: empty section between colons');
  invalid(() => parseVolumeSpec(':/b'), 'invalid spec: :/b: empty section between colons');
});

test('-v list: sources become Binds (relative paths absolute, named volumes kept), the rest Volumes', () => {
  assert.deepEqual(splitVolumes(['/host:/ctr:ro', 'named:/data', '/anon', './rel:/rel:z', '/anon'], '/w'), {
    binds: ['/host:/ctr:ro', 'named:/data', '/w/rel:/rel:z'],
    volumes: { '/anon': {} },
  });
  assert.deepEqual(splitVolumes([], '/w'), { binds: null, volumes: {} });
});

test('--tmpfs: path[:options] into a map', () => {
  assert.deepEqual(parseTmpfs(['/run:rw,size=64m', '/tmp2', '/a:b:c', '']), {
    '/run': 'rw,size=64m',
    '/tmp2': '',
    '/a': 'b:c',
    '': '',
  });
});

test('--mount: CSV fields into a Mount, with the CLI checks', () => {
  assert.deepEqual(parseMount('type=bind,source=/src,target=/dst,readonly'), {
    Type: 'bind',
    Source: '/src',
    Target: '/dst',
    ReadOnly: true,
  });
  assert.deepEqual(parseMount('type=tmpfs,target=/t,tmpfs-size=1m,tmpfs-mode=1770'), {
    Type: 'tmpfs',
    Target: '/t',
    TmpfsOptions: { SizeBytes: 1048576, Mode: 0o1770 },
  });
  assert.deepEqual(parseMount('type=volume,src=v1,dst=/v,volume-label=k=v,volume-nocopy'), {
    Type: 'volume',
    Source: 'v1',
    Target: '/v',
    VolumeOptions: { Labels: { k: 'v' }, DriverConfig: {}, NoCopy: true },
  });
  assert.equal(parseMount('target=/x').Type, 'volume');
  assert.equal(parseMount('type=bind,src=./x,dst=/b', '/w').Source, '/w/x');
  assert.equal(parseMount('type=bind,src=./x,dst=/b').Source, './x');
  assert.equal(parseMount('"type=bind","src=/a,b","dst=/c"').Source, '/a,b');
  assert.equal(parseMount('Type=BIND,Src=/a,Target=/c').Type, 'bind');
  invalid(() => parseMount('type=bind'), 'target is required');
  invalid(() => parseMount('type=,target=/c'), 'type is required');
  invalid(() => parseMount('foo'), "invalid field 'foo' must be a key=value pair");
  invalid(() => parseMount('type=bind,src=/a,target=/c,foo=bar'), "unexpected key 'foo' in 'foo=bar'");
  invalid(() => parseMount('type=bind,src=/a,dst=/b,ro=maybe'), 'invalid value for ro: maybe');
  invalid(() => parseMount('type=tmpfs,target=/c,tmpfs-mode=999'), 'invalid value for tmpfs-mode: 999');
  invalid(
    () => parseMount('type=volume,target=/b,tmpfs-size=1m'),
    "cannot mix 'tmpfs-*' options with mount type 'volume'",
  );
  invalid(
    () => parseMount('type=volume,target=/c,bind-nonrecursive'),
    "cannot mix 'bind-*' options with mount type 'volume'",
  );
  invalid(
    () => parseMount('type=bind,src=/a,target=/c,bind-recursive=writable'),
    "option 'bind-recursive=writable' requires 'readonly' to be specified in conjunction",
  );
  invalid(
    () => parseMount('type=bind,src=/a,target=/c,bind-recursive=x'),
    'invalid value for bind-recursive: x (must be "enabled", "disabled", "writable", or "readonly")',
  );
  invalid(
    () => parseMount('type=bind,"src=/a,dst=/b'),
    'parse error on line 1, column 25: extraneous or missing " in quoted-field',
  );
  invalid(
    () => parseMount('type=bind,src=/a"x,dst=/b'),
    'parse error on line 1, column 17: bare " in non-quoted-field',
  );
  invalid(() => parseMount(''), 'EOF');
});

test('-p: nat.ParsePortSpecs with ranges, host IPs and protocols', () => {
  assert.deepEqual(
    parsePortSpecs(['8080:80', '127.0.0.1:9000-9001:9000-9001/udp', '53/udp', '8000-8002:3000', '[::1]:7000:7000']),
    {
      exposed: { '80/tcp': {}, '9000/udp': {}, '9001/udp': {}, '53/udp': {}, '3000/tcp': {}, '7000/tcp': {} },
      bindings: {
        '80/tcp': [{ HostIp: '', HostPort: '8080' }],
        '9000/udp': [{ HostIp: '127.0.0.1', HostPort: '9000' }],
        '9001/udp': [{ HostIp: '127.0.0.1', HostPort: '9001' }],
        '53/udp': [{ HostIp: '', HostPort: '' }],
        '3000/tcp': [{ HostIp: '', HostPort: '8000-8002' }],
        '7000/tcp': [{ HostIp: '::1', HostPort: '7000' }],
      },
    },
  );
  assert.deepEqual(parsePortSpecs(['80:80', '127.0.0.1::80']).bindings['80/tcp'], [
    { HostIp: '', HostPort: '80' },
    { HostIp: '127.0.0.1', HostPort: '' },
  ]);
  assert.deepEqual(Object.keys(parsePortSpecs(['0.0.0.0:8080:80/TCP']).exposed), ['80/tcp']);
  invalid(() => parsePortSpecs(['80:80:80:80/tcp']), 'invalid IP address: 80:80');
  invalid(() => parsePortSpecs(['abc']), 'invalid containerPort: abc');
  invalid(() => parsePortSpecs(['300.1.1.1:80:80']), 'invalid IP address: 300.1.1.1');
  invalid(() => parsePortSpecs(['80/xyz']), 'invalid proto: xyz');
  invalid(
    () => parsePortSpecs(['8000-8001:80-82']),
    'invalid ranges specified for container and host Ports: 80-82 and 8000-8001',
  );
  invalid(() => parsePortSpecs(['80-79']), 'invalid containerPort: 80-79');
  invalid(() => parsePortSpecs(['70000']), 'invalid containerPort: 70000');
  invalid(() => parsePortSpecs(['']), 'no port specified: <empty>');
  invalid(() => parsePortSpecs(['8080-x:80']), 'invalid hostPort: 8080-x');
  invalid(() => parsePortSpecs(['[::1:80:80']), "invalid IP address [::1: address [::1:: missing ']' in address");
  assert.deepEqual(parsePortRange('8000-8010'), [8000, 8010]);
});

test('-p long syntax and --expose', () => {
  assert.deepEqual(convertToStandardNotation(['published=8081,target=81', 'target=82,protocol=udp', '80']), [
    '8081:81/tcp',
    ':82/udp',
    '80',
  ]);
  invalid(
    () => convertToStandardNotation(['published=1,=x']),
    "invalid publish opts format (should be name=value but got '=x')",
  );
  const exposed = {};
  addExposedPorts(exposed, ['7100-7101', '80/udp', '90/sctp']);
  assert.deepEqual(Object.keys(exposed), ['7100/tcp', '7101/tcp', '80/udp', '90/sctp']);
  invalid(() => addExposedPorts({}, ['80:80']), 'invalid port format for --expose: 80:80');
  invalid(
    () => addExposedPorts({}, ['abc']),
    'invalid range format for --expose: abc, error: strconv.ParseUint: parsing "abc": invalid syntax',
  );
});

test('devices: validateLinuxPath + parseLinuxDevice, CDI names, cgroup rules', () => {
  assert.deepEqual(parseDevice(validateDevice('/dev/null:/dev/xnull:rw')), {
    PathOnHost: '/dev/null',
    PathInContainer: '/dev/xnull',
    CgroupPermissions: 'rw',
  });
  assert.deepEqual(parseDevice(validateDevice('/dev/zero')), {
    PathOnHost: '/dev/zero',
    PathInContainer: '/dev/zero',
    CgroupPermissions: 'rwm',
  });
  assert.deepEqual(parseDevice(validateDevice('/dev/sdb:rw')), {
    PathOnHost: '/dev/sdb',
    PathInContainer: '/dev/sdb',
    CgroupPermissions: 'rw',
  });
  assert.equal(validateDevice('/dev/./x/../y:/a/../b'), '/dev/./x/../y:/b');
  invalid(() => validateDevice('/dev/a:/dev/b:rwx'), 'bad mode specified: rwx');
  invalid(() => validateDevice('a:b'), 'b is not an absolute path');
  invalid(() => validateDevice('/dev/a:/b:c:d'), 'bad format for path: /dev/a:/b:c:d');
  invalid(() => validateDevice(':/x'), 'bad format for path: :/x');
  assert.equal(isCdiQualifiedName('vendor.com/device=gpu0'), true);
  assert.equal(isCdiQualifiedName('/dev/sda'), false);
  assert.equal(validateDeviceCgroupRule('c 1:3 mr'), 'c 1:3 mr');
  assert.equal(validateDeviceCgroupRule('a *:* rwm'), 'a *:* rwm');
  invalid(() => validateDeviceCgroupRule('x'), "invalid device cgroup format 'x'");
});

test('blkio throttles and weights', () => {
  assert.deepEqual(validateThrottleBpsDevice('/dev/sda:1mb'), { Path: '/dev/sda', Rate: 1048576 });
  assert.deepEqual(validateThrottleIOpsDevice('/dev/sda:100'), { Path: '/dev/sda', Rate: 100 });
  assert.deepEqual(validateWeightDevice('/dev/sda:200'), { Path: '/dev/sda', Weight: 200 });
  assert.deepEqual(validateWeightDevice('/dev/sda:0'), { Path: '/dev/sda', Weight: 0 });
  invalid(() => validateThrottleBpsDevice('sda:1'), 'bad format for device path: sda:1');
  invalid(() => validateThrottleBpsDevice('/dev/sda'), 'bad format: /dev/sda');
  invalid(
    () => validateThrottleBpsDevice('/dev/sda:x'),
    'invalid rate for device: /dev/sda:x. The correct format is <device-path>:<number>[<unit>]. Number must be a positive integer. Unit is optional and can be kb, mb, or gb',
  );
  invalid(
    () => validateThrottleIOpsDevice('/dev/sda:x'),
    'invalid rate for device: /dev/sda:x. The correct format is <device-path>:<number>. Number must be a positive integer',
  );
  invalid(() => validateWeightDevice('/dev/sda:5'), 'invalid weight for device: /dev/sda:5');
});

test('--gpus requests', () => {
  assert.deepEqual(parseGpuRequest('all'), {
    Driver: '',
    Count: -1,
    DeviceIDs: null,
    Capabilities: [['gpu']],
    Options: {},
  });
  assert.deepEqual(parseGpuRequest('device=0,1'), {
    Driver: '',
    Count: 1,
    DeviceIDs: ['0'],
    Capabilities: [['gpu']],
    Options: {},
  });
  assert.deepEqual(parseGpuRequest('driver=nvidia,count=2,"capabilities=compute,utility","options=a=b,c=d"'), {
    Driver: 'nvidia',
    Count: 2,
    DeviceIDs: null,
    Capabilities: [['compute', 'utility', 'gpu']],
    Options: { a: 'b', c: 'd' },
  });
  invalid(
    () => parseGpuRequest('foo'),
    'invalid count (foo): value must be either "all" or an integer: invalid syntax',
  );
  invalid(() => parseGpuRequest('count=1,count=2'), "gpu request key 'count' can be specified only once");
  invalid(() => parseGpuRequest('foo=bar'), "unexpected key 'foo' in 'foo=bar'");
});

test('--network: names and the long syntax (lower-cased, as the CLI does)', () => {
  assert.equal(parseNetworkOpt('host').target, 'host');
  assert.equal(parseNetworkOpt('container:abc').target, 'container:abc');
  const n = parseNetworkOpt('NAME=MyNet,Alias=Web,driver-opt=k=v,ip=10.1.0.5,gw-priority=5');
  assert.equal(n.target, 'mynet');
  assert.deepEqual(n.aliases, ['web']);
  assert.deepEqual(n.driverOpts, { k: 'v' });
  assert.equal(n.ipv4Address, '10.1.0.5');
  assert.equal(n.gwPriority, 5);
  invalid(() => parseNetworkOpt('name=n1,alias=a,foo=b'), 'invalid field key foo');
  invalid(() => parseNetworkOpt('alias=x'), 'network name/id is not specified');
  invalid(() => parseNetworkOpt('name=n,gw-priority=x'), 'invalid gw-priority (x): invalid syntax');
  invalid(() => parseNetworkOpt('name=n,driver-opt=x'), 'invalid key value pair format in driver options');
});

test('hosts, DNS, links, sysctls, attach', () => {
  assert.equal(validateExtraHost('db:10.0.0.1'), 'db:10.0.0.1');
  assert.equal(validateExtraHost('h2=10.0.0.2'), 'h2:10.0.0.2');
  assert.equal(validateExtraHost('b:::1'), 'b:::1');
  assert.equal(validateExtraHost('c=[1.2.3.4]'), 'c:1.2.3.4');
  assert.equal(validateExtraHost('gw:host-gateway'), 'gw:host-gateway');
  invalid(() => validateExtraHost('foo'), 'bad format for add-host: "foo"');
  invalid(() => validateExtraHost(':1.2.3.4'), 'bad format for add-host: ":1.2.3.4"');
  invalid(() => validateExtraHost('foo:bar'), 'invalid IP address in add-host: "bar"');
  assert.equal(validateIPAddress('8.8.8.8'), '8.8.8.8');
  assert.equal(validateIPAddress(' 0:0:0:0:0:0:0:1'), '::1');
  assert.equal(validateIPAddress('::ffff:1.2.3.4'), '1.2.3.4');
  assert.equal(validateIPAddress('2001:DB8:0:0:1:0:0:1'), '2001:db8::1:0:0:1');
  invalid(() => validateIPAddress('1.2.3'), 'IP address is not correctly formatted: 1.2.3');
  assert.equal(validateDNSSearch('Example.COM.'), 'Example.COM');
  assert.equal(validateDNSSearch('.'), '.');
  invalid(() => validateDNSSearch('-bad'), '-bad is not a valid domain');
  invalid(() => validateDNSSearch('a..b'), 'a..b is not a valid domain');
  assert.deepEqual(parseLink('a'), ['a', 'a']);
  assert.deepEqual(parseLink('other:alias'), ['other', 'alias']);
  assert.deepEqual(parseLink('/x:/y/z'), ['x', 'z']);
  invalid(() => parseLink('a:b:c'), 'bad format for links: a:b:c');
  assert.equal(validateSysctl('net.ipv4.ip_forward=1'), 'net.ipv4.ip_forward=1');
  assert.equal(validateSysctl('kernel.sem=1 2 3'), 'kernel.sem=1 2 3');
  invalid(() => validateSysctl('kernel.foo=1'), "sysctl 'kernel.foo=1' is not allowed");
  invalid(() => validateSysctl('net.a'), "sysctl 'net.a' is not allowed");
  assert.equal(validateAttach('STDOUT'), 'stdout');
  invalid(() => validateAttach('foo'), 'valid streams are STDIN, STDOUT and STDERR');
});

test('capabilities, security, logging and storage options', () => {
  assert.deepEqual(normalizeCapabilities(['net_admin', 'NET_ADMIN', 'all', 'Cap_Chown']), [
    'ALL',
    'CAP_CHOWN',
    'CAP_NET_ADMIN',
  ]);
  assert.equal(normalizeCapabilities([]), null);
  const files: Record<string, string> = { 'p.json': '{"a": 1.0,\n "b": [1, 2], "c": "x y"}\n', 'bad.json': 'bad json' };
  const readFile = (p: string) => {
    if (!(p in files)) throw Object.assign(new Error('x'), { code: 'ENOENT' });
    return files[p]!;
  };
  assert.deepEqual(
    parseSecurityOpts(['no-new-privileges', 'seccomp=p.json', 'seccomp:builtin', 'apparmor:unconfined'], readFile),
    ['no-new-privileges', 'seccomp={"a":1.0,"b":[1,2],"c":"x y"}', 'seccomp:builtin', 'apparmor:unconfined'],
  );
  invalid(() => parseSecurityOpts(['foo']), 'Invalid --security-opt: "foo"');
  invalid(() => parseSecurityOpts(['label:']), 'Invalid --security-opt: "label:"');
  invalid(
    () => parseSecurityOpts(['seccomp=/nonexist'], readFile),
    'opening seccomp profile (/nonexist) failed: open /nonexist: no such file or directory',
  );
  invalid(
    () => parseSecurityOpts(['seccomp=bad.json'], readFile),
    "compacting json for seccomp profile (bad.json) failed: invalid character 'b' looking for beginning of value",
  );
  assert.equal(compactJSON('{ "a" : "b c" }'), '{"a":"b c"}');
  assert.deepEqual(parseSystemPaths(['systempaths=unconfined', 'x=y']), {
    securityOpts: ['x=y'],
    maskedPaths: [],
    readonlyPaths: [],
  });
  assert.deepEqual(parseSystemPaths([]), { securityOpts: [], maskedPaths: null, readonlyPaths: null });
  assert.deepEqual(parseLoggingOpts('json-file', ['max-size=10m', 'a', 'b=c=d']), {
    'max-size': '10m',
    a: '',
    b: 'c=d',
  });
  invalid(() => parseLoggingOpts('none', ['a=b']), 'invalid logging opts for driver none');
  assert.deepEqual(parseStorageOpts(['size=1G']), { size: '1G' });
  invalid(() => parseStorageOpts(['foo']), 'invalid storage option');
});

test('filters, pull option, namespace modes', () => {
  assert.deepEqual(parseFilter(' Status = exited '), ['status', 'exited']);
  assert.equal(parseFilter(''), undefined);
  invalid(() => parseFilter('foo'), 'bad format of filter (expected name=value)');
  const f = filterArgs([
    ['label', 'a=b'],
    ['label', 'c'],
  ]);
  assert.equal(filtersToJSON(f), '{"label":{"a=b":true,"c":true}}');
  assert.equal(filtersToJSON({}), '');
  assert.equal(validatePullOpt('never'), 'never');
  invalid(() => validatePullOpt('foo'), `invalid pull option: 'foo': must be one of "always", "missing" or "never"`);
  assert.equal(validPidMode('container:x'), true);
  assert.equal(validPidMode('container:'), false);
  assert.equal(validCgroupnsMode('private'), true);
  assert.equal(validCgroupnsMode('foo'), false);
});

test('platforms normalise as the CLI sends them', () => {
  assert.equal(normalizePlatform('linux/amd64'), 'linux/amd64');
  assert.equal(normalizePlatform('Linux/x86_64'), 'linux/amd64');
  assert.equal(normalizePlatform('linux/aarch64'), 'linux/arm64');
  assert.equal(normalizePlatform('linux/arm64/8'), 'linux/arm64/v8');
  assert.equal(normalizePlatform('linux/armhf'), 'linux/arm');
  assert.equal(normalizePlatform('linux/armel'), 'linux/arm/v6');
  assert.equal(normalizePlatform('linux/arm/7'), 'linux/arm/v7');
  assert.equal(normalizePlatform('i386'), 'linux/386');
  assert.equal(normalizePlatform('arm64'), 'linux/arm64');
  assert.equal(normalizePlatform('foo/bar'), 'foo/bar');
  assert.match(normalizePlatform('windows'), /^windows\/[a-z0-9]+$/);
  invalid(
    () => normalizePlatform('foo'),
    'error parsing specified platform: "foo": unknown operating system or architecture: invalid argument',
  );
  invalid(
    () => normalizePlatform('foo/bar/baz/qux'),
    'error parsing specified platform: "foo/bar/baz/qux": cannot parse platform specifier: invalid argument',
  );
});
