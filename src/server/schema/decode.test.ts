// The edge's body schemas refuse what Go's json.Unmarshal refuses, in its words. The expected texts are dockerd's
// own answers (Debian's dockerd 20.10 on this machine, asked the same bodies).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isInvalidParameter } from '../../errdefs/index.js';
import { containerCreateBody, containerUpdateBody, execCreateBody, execStartBody } from './bodies.js';
import { checkBody, numberLiteral } from './decode.js';
import type { GoSchema } from './go-types.js';

/** The message `raw` is refused with, or undefined when it is accepted. */
async function refusal(schema: GoSchema, raw: string): Promise<string | undefined> {
  try {
    await checkBody(schema, JSON.parse(raw), raw);
    return undefined;
  } catch (e) {
    assert.ok(isInvalidParameter(e), String(e));
    return (e as Error).message;
  }
}

const cases: [GoSchema, string, string][] = [
  [
    containerCreateBody,
    '{"Image":"busybox","HostConfig":{"Memory":"lots"}}',
    'json: cannot unmarshal string into Go struct field HostConfig.HostConfig.Memory of type int64',
  ],
  [
    containerCreateBody,
    '{"Image":"busybox","HostConfig":{"Memory":1e30}}',
    'json: cannot unmarshal number 1e30 into Go struct field HostConfig.HostConfig.Memory of type int64',
  ],
  [
    containerCreateBody,
    '{"Image":"busybox","HostConfig":{"PidsLimit":1e30}}',
    'json: cannot unmarshal number 1e30 into Go struct field HostConfig.HostConfig.PidsLimit of type int64',
  ],
  [
    containerCreateBody,
    '{"Image":"busybox","HostConfig":{"Memory":1.5}}',
    'json: cannot unmarshal number 1.5 into Go struct field HostConfig.HostConfig.Memory of type int64',
  ],
  [
    containerCreateBody,
    '{"Image":"busybox","HostConfig":{"BlkioWeight":-5}}',
    'json: cannot unmarshal number -5 into Go struct field HostConfig.HostConfig.BlkioWeight of type uint16',
  ],
  [
    containerCreateBody,
    '{"Image":"busybox","HostConfig":{"BlkioWeight":70000}}',
    'json: cannot unmarshal number 70000 into Go struct field HostConfig.HostConfig.BlkioWeight of type uint16',
  ],
  [
    containerCreateBody,
    '{"Image":"busybox","HostConfig":{"Ulimits":[{"Name":"nofile","Soft":"x","Hard":2}]}}',
    'json: cannot unmarshal string into Go struct field Ulimit.HostConfig.Ulimits.Soft of type int64',
  ],
  [
    containerCreateBody,
    '{"Image":"busybox","HostConfig":{"Binds":"x"}}',
    'json: cannot unmarshal string into Go struct field HostConfig.HostConfig.Binds of type []string',
  ],
  [
    containerCreateBody,
    '{"Image":"busybox","HostConfig":{"RestartPolicy":{"MaximumRetryCount":"x"}}}',
    'json: cannot unmarshal string into Go struct field RestartPolicy.HostConfig.RestartPolicy.MaximumRetryCount of type int',
  ],
  [
    containerCreateBody,
    '{"Image":"busybox","HostConfig":{"Init":"x"}}',
    'json: cannot unmarshal string into Go struct field HostConfig.HostConfig.Init of type bool',
  ],
  [
    containerCreateBody,
    '{"Image":5}',
    'json: cannot unmarshal number into Go struct field ContainerConfigWrapper.Image of type string',
  ],
  [
    containerCreateBody,
    '{"Image":"busybox","Cmd":5}',
    'json: cannot unmarshal number into Go struct field ContainerConfigWrapper.Cmd of type string',
  ],
  [
    containerCreateBody,
    '{"Image":"busybox","Env":[5]}',
    'json: cannot unmarshal number into Go struct field ContainerConfigWrapper.Env of type string',
  ],
  [
    containerCreateBody,
    '{"Image":"busybox","Labels":{"a":5}}',
    'json: cannot unmarshal number into Go struct field ContainerConfigWrapper.Labels of type string',
  ],
  [
    containerCreateBody,
    '{"Image":"busybox","StopTimeout":"x"}',
    'json: cannot unmarshal string into Go struct field ContainerConfigWrapper.StopTimeout of type int',
  ],
  [
    containerCreateBody,
    '{"Image":"busybox","Healthcheck":{"Interval":"x"}}',
    'json: cannot unmarshal string into Go struct field HealthConfig.Healthcheck.Interval of type time.Duration',
  ],
  [
    containerCreateBody,
    '{"Image":"busybox","HostConfig":[]}',
    'json: cannot unmarshal array into Go struct field ContainerConfigWrapper.HostConfig of type container.HostConfig',
  ],
  [
    containerCreateBody,
    '{"Image":"busybox","HostConfig":"x"}',
    'json: cannot unmarshal string into Go struct field ContainerConfigWrapper.HostConfig of type container.HostConfig',
  ],
  [containerCreateBody, '[1]', 'json: cannot unmarshal array into Go value of type runconfig.ContainerConfigWrapper'],
  [
    containerCreateBody,
    '{"Image":"busybox","ExposedPorts":{"80/tcp":5}}',
    'json: cannot unmarshal number into Go struct field ContainerConfigWrapper.ExposedPorts of type struct {}',
  ],
  [
    containerCreateBody,
    '{"Image":"busybox","HostConfig":{"OomScoreAdj":1e3}}',
    // Go refuses 1e3 for an int (strconv.ParseInt); berth takes the integer it means, and refuses what is out of range.
    '',
  ],
  [
    containerUpdateBody,
    '{"Memory":1e30}',
    'json: cannot unmarshal number 1e30 into Go struct field UpdateConfig.Memory of type int64',
  ],
  [
    containerUpdateBody,
    '{"Memory":"x"}',
    'json: cannot unmarshal string into Go struct field UpdateConfig.Memory of type int64',
  ],
  [
    containerUpdateBody,
    '{"RestartPolicy":{"Name":5}}',
    'json: cannot unmarshal number into Go struct field RestartPolicy.RestartPolicy.Name of type container.RestartPolicyMode',
  ],
  [containerUpdateBody, '[]', 'json: cannot unmarshal array into Go value of type container.UpdateConfig'],
  [execCreateBody, '{"Cmd":"x"}', 'json: cannot unmarshal string into Go struct field ExecConfig.Cmd of type []string'],
  [execCreateBody, '{"Cmd":[1]}', 'json: cannot unmarshal number into Go struct field ExecConfig.Cmd of type string'],
  [execCreateBody, '{"Tty":"x"}', 'json: cannot unmarshal string into Go struct field ExecConfig.Tty of type bool'],
  [
    execStartBody,
    '{"Detach":"x"}',
    'json: cannot unmarshal string into Go struct field ExecStartCheck.Detach of type bool',
  ],
];

test("a mistyped or out-of-range field is refused with Go's json.Unmarshal text, as dockerd answers", async () => {
  for (const [schema, raw, want] of cases) {
    assert.equal((await refusal(schema, raw)) ?? '', want, raw);
  }
});

test('int64 bounds: the largest double below 2^63 passes, 2^63 (what 9223372036854775807 parses to) does not', async () => {
  assert.equal(await refusal(containerUpdateBody, '{"Memory":9223372036854774784}'), undefined);
  assert.equal(await refusal(containerUpdateBody, '{"Memory":-9223372036854775808}'), undefined);
  assert.match(
    (await refusal(containerUpdateBody, '{"Memory":9223372036854775807}')) ?? '',
    /^json: cannot unmarshal number 9223372036854775807 into Go struct field UpdateConfig\.Memory of type int64$/,
  );
});

test('null leaves a field alone (as in Go), but a null element of a list or map is refused', async () => {
  assert.equal(
    await refusal(containerCreateBody, '{"Image":"busybox","HostConfig":{"Memory":null,"Binds":null}}'),
    undefined,
  );
  assert.equal(await refusal(containerCreateBody, 'null'), undefined);
  assert.equal(
    await refusal(containerCreateBody, '{"Image":"busybox","Env":["A=1",null]}'),
    'json: cannot unmarshal null into Go struct field ContainerConfigWrapper.Env of type string',
  );
});

test("what docker run sends passes, and unknown fields are ignored as Go's decoder ignores them", async () => {
  const body = {
    Hostname: '',
    Env: ['A=1'],
    Cmd: ['sh', '-c', 'true'],
    Entrypoint: null,
    Image: 'busybox',
    Labels: { a: 'b' },
    Volumes: { '/data': {} },
    ExposedPorts: { '80/tcp': {} },
    StopTimeout: 3,
    Healthcheck: { Test: ['CMD', 'true'], Interval: 1_000_000_000, Retries: 3 },
    Unknown: { anything: [1, 'x'] },
    HostConfig: {
      Binds: ['/tmp:/tmp:ro'],
      LogConfig: { Type: 'json-file', Config: { 'max-size': '1k' } },
      NetworkMode: 'default',
      PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] },
      RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 },
      ConsoleSize: [24, 80],
      CapAdd: ['NET_ADMIN'],
      Memory: 6 * 1024 * 1024,
      MemorySwap: -1,
      PidsLimit: -1,
      Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 2048 }],
      Mounts: [{ Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 1 << 20, Mode: 0o1777 } }],
      Init: true,
    },
    NetworkingConfig: { EndpointsConfig: { bridge: { Aliases: ['x'] } } },
  };
  const raw = JSON.stringify(body);
  assert.equal(await refusal(containerCreateBody, raw), undefined);
  assert.equal(await refusal(containerCreateBody, '{"Image":"busybox","Cmd":"echo hi","Entrypoint":"sh"}'), undefined);
  assert.equal(await refusal(execStartBody, '{"Detach":false,"Tty":true,"ConsoleSize":[24,80]}'), undefined);
});

test('keys match fields case-insensitively, as in Go: checked and handed on under the field name', async () => {
  assert.equal(
    await refusal(containerCreateBody, '{"Image":"busybox","image":5}'),
    'json: cannot unmarshal number into Go struct field ContainerConfigWrapper.Image of type string',
  );
  assert.equal(
    await refusal(containerCreateBody, '{"image":"busybox","hostconfig":{"memory":1e30}}'),
    'json: cannot unmarshal number 1e30 into Go struct field HostConfig.HostConfig.Memory of type int64',
  );
  const raw = '{"image":"busybox","hostConfig":{"ulimits":[{"name":"nofile","soft":1,"hard":2}]},"Extra":{"a":1}}';
  assert.deepEqual(await checkBody(containerCreateBody, JSON.parse(raw), raw), {
    Image: 'busybox',
    HostConfig: { Ulimits: [{ Name: 'nofile', Soft: 1, Hard: 2 }] },
    Extra: { a: 1 },
  });
  // Of two keys for one field, the later wins (Go decodes both, in order).
  const twice = '{"Image":"first","IMAGE":"second"}';
  assert.deepEqual(await checkBody(containerCreateBody, JSON.parse(twice), twice), { Image: 'second' });
  const proto = '{"Image":"busybox","__proto__":{"polluted":true}}';
  const body = await checkBody<Record<string, unknown>>(containerCreateBody, JSON.parse(proto), proto);
  assert.equal(Object.getPrototypeOf(body), Object.prototype);
  assert.deepEqual(Object.keys(body), ['Image', '__proto__']);
});

test('numberLiteral finds the literal as written, skipping strings that hold the same digits', () => {
  assert.equal(numberLiteral('{"a":"1e30","b":1E30}', 1e30), '1E30');
  assert.equal(numberLiteral('{"a":-0.50}', -0.5), '-0.50');
  assert.equal(numberLiteral('{"a":"\\"5","b":5}', 5), '5');
});
