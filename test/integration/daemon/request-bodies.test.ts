// Request bodies are checked once, at the edge: a mistyped or out-of-range field is a 400 with Go's json.Unmarshal
// text and nothing is stored (such a value used to be stored, fail at start, and leave `docker inspect` unable to
// decode the container). An attach's JSON body is read and dropped, never fed to the container's stdin.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { demux } from '../../../src/api/index.js';
import { daemonSuite, eventually } from './helpers.js';

const s = await daemonSuite({
  setup: async (d) => {
    await d.docker('create', '--name', 'bystander', 'busybox', 'true');
  },
});
const T = { skip: s.skip, timeout: 60_000 };
const JSON_TYPE = { 'Content-Type': 'application/json' };

/** Every container's ID, as `GET /containers/json?all=1` lists them. */
async function listed(): Promise<string[]> {
  const r = await s.d.request('GET', '/containers/json?all=1');
  assert.equal(r.status, 200, r.body);
  return (JSON.parse(r.body) as { Id: string }[]).map((c) => c.Id).sort();
}

/** The docker CLI can still decode every container berthd holds. */
async function inspectAll(): Promise<void> {
  const ids = await listed();
  const r = await s.d.dockerResult(['inspect', ...ids]);
  assert.equal(r.code, 0, `docker inspect of every container: ${r.stderr}`);
}

function message(body: string): string {
  return (JSON.parse(body) as { message: string }).message;
}

test("a create with an out-of-range or mistyped field is a 400 in Go's words, and nothing is stored", T, async () => {
  const before = await listed();
  const cases: [Record<string, unknown>, string][] = [
    [
      { HostConfig: { Memory: 1e30 } },
      'json: cannot unmarshal number 1e+30 into Go struct field HostConfig.HostConfig.Memory of type int64',
    ],
    [
      { HostConfig: { PidsLimit: 1e30 } },
      'json: cannot unmarshal number 1e+30 into Go struct field HostConfig.HostConfig.PidsLimit of type int64',
    ],
    [
      { HostConfig: { Ulimits: [{ Name: 'nofile', Soft: 'x', Hard: 10 }] } },
      'json: cannot unmarshal string into Go struct field Ulimit.HostConfig.Ulimits.Soft of type int64',
    ],
    [
      { HostConfig: { BlkioWeight: 70000 } },
      'json: cannot unmarshal number 70000 into Go struct field HostConfig.HostConfig.BlkioWeight of type uint16',
    ],
    [
      { HostConfig: { Memory: 1.5 } },
      'json: cannot unmarshal number 1.5 into Go struct field HostConfig.HostConfig.Memory of type int64',
    ],
    [
      { StopTimeout: 1e19 },
      'json: cannot unmarshal number 10000000000000000000 into Go struct field ContainerConfigWrapper.StopTimeout of type int',
    ],
    [
      { Healthcheck: { Test: ['CMD', 'true'], Interval: 'soon' } },
      'json: cannot unmarshal string into Go struct field HealthConfig.Healthcheck.Interval of type time.Duration',
    ],
    [{ Cmd: 5 }, 'json: cannot unmarshal number into Go struct field ContainerConfigWrapper.Cmd of type string'],
    [{ HostConfig: { CpuShares: -5 } }, 'invalid CPU shares (-5): the minimum allowed cpu-shares is 2'],
    [{ HostConfig: { OomScoreAdj: 5000 } }, 'Invalid value 5000, range for oom score adj is [-1000, 1000]'],
  ];
  for (const [fields, want] of cases) {
    const body = JSON.stringify({ Image: 'busybox', Cmd: ['true'], ...fields });
    const r = await s.d.request('POST', '/containers/create?name=refused', body, JSON_TYPE);
    assert.equal(r.status, 400, `${body}: ${r.status} ${r.body}`);
    assert.equal(message(r.body), want, body);
  }
  // The number as the client wrote it, not as JavaScript prints it back.
  const literal = await s.d.request(
    'POST',
    '/containers/create',
    '{"Image":"busybox","HostConfig":{"Memory":1e30}}',
    JSON_TYPE,
  );
  assert.equal(
    message(literal.body),
    'json: cannot unmarshal number 1e30 into Go struct field HostConfig.HostConfig.Memory of type int64',
  );
  assert.deepEqual(await listed(), before);
  await inspectAll();
});

test(
  'field names match case-insensitively, as Go matches them: no second spelling slips past the checks',
  T,
  async () => {
    const before = await listed();
    const poison = await s.d.request('POST', '/containers/create', '{"Image":"busybox","image":5}', JSON_TYPE);
    assert.equal(poison.status, 400, poison.body);
    assert.equal(
      message(poison.body),
      'json: cannot unmarshal number into Go struct field ContainerConfigWrapper.Image of type string',
    );
    const hidden = await s.d.request(
      'POST',
      '/containers/create',
      '{"Image":"busybox","hostconfig":{"memory":"lots"}}',
      JSON_TYPE,
    );
    assert.equal(hidden.status, 400, hidden.body);
    assert.deepEqual(await listed(), before);
    // What dockerd accepts, berth accepts too, under the fields' own names.
    const lower = await s.d.request(
      'POST',
      '/containers/create?name=lowercase',
      '{"image":"busybox","cmd":["true"],"labels":{"k":"v"}}',
      JSON_TYPE,
    );
    assert.equal(lower.status, 201, lower.body);
    try {
      assert.equal(
        (await s.d.docker('inspect', '-f', '{{.Config.Image}} {{.Config.Labels.k}}', 'lowercase')).stdout,
        'busybox v\n',
      );
      await inspectAll();
    } finally {
      await s.d.docker('rm', 'lowercase');
    }
  },
);

test('malformed JSON and a non-object body are 400s before anything is looked up', T, async () => {
  for (const [body, want] of [
    ['{"Image": "busybox", ', /^unexpected EOF$/],
    ['{"Image": busybox}', /^invalid character 'b' looking for beginning of value$/],
    ['[1]', /^json: cannot unmarshal array into Go value of type runconfig\.ContainerConfigWrapper$/],
    ['"busybox"', /^json: cannot unmarshal string into Go value of type runconfig\.ContainerConfigWrapper$/],
  ] as const) {
    const r = await s.d.request('POST', '/containers/create', body, JSON_TYPE);
    assert.equal(r.status, 400, `${body}: ${r.body}`);
    assert.match(message(r.body), want, body);
  }
});

test(
  "update refuses out-of-range values in Go's words, before looking the container up, and stores nothing",
  T,
  async () => {
    const unknown = await s.d.request('POST', '/containers/no-such/update', '{"Memory":1e30}', JSON_TYPE);
    assert.equal(unknown.status, 400, unknown.body);
    assert.equal(
      message(unknown.body),
      'json: cannot unmarshal number 1e30 into Go struct field UpdateConfig.Memory of type int64',
    );
    const pidsLimit = async () => (await s.d.docker('inspect', '-f', '{{.HostConfig.PidsLimit}}', 'bystander')).stdout;
    const before = await pidsLimit();
    const r = await s.d.request('POST', '/containers/bystander/update', '{"PidsLimit":1e30}', JSON_TYPE);
    assert.equal(r.status, 400, r.body);
    const policy = await s.d.request('POST', '/containers/bystander/update', '{"RestartPolicy":{"Name":5}}', JSON_TYPE);
    assert.equal(policy.status, 400, policy.body);
    assert.match(message(policy.body), /RestartPolicy\.RestartPolicy\.Name of type container\.RestartPolicyMode$/);
    assert.equal(await pidsLimit(), before);
    await inspectAll();
  },
);

test('exec create and start check their bodies', T, async () => {
  await s.d.docker('run', '-d', '--name', 'exec-target', 'busybox', 'sleep', '300');
  try {
    const create = await s.d.request('POST', '/containers/exec-target/exec', '{"Cmd":"ls"}', JSON_TYPE);
    assert.equal(create.status, 400, create.body);
    assert.equal(
      message(create.body),
      'json: cannot unmarshal string into Go struct field ExecConfig.Cmd of type []string',
    );
    const ok = await s.d.request('POST', '/containers/exec-target/exec', '{"Cmd":["true"]}', JSON_TYPE);
    assert.equal(ok.status, 201, ok.body);
    const id = (JSON.parse(ok.body) as { Id: string }).Id;
    const start = await s.d.request('POST', `/exec/${id}/start`, '{"Detach":"yes"}', JSON_TYPE);
    assert.equal(start.status, 400, start.body);
    assert.equal(
      message(start.body),
      'json: cannot unmarshal string into Go struct field ExecStartCheck.Detach of type bool',
    );
  } finally {
    await s.d.docker('rm', '-f', 'exec-target');
  }
});

test("an attach's JSON body is dropped: only what follows the request reaches the container's stdin", T, async () => {
  await s.d.docker('run', '-d', '-i', '--name', 'catter', 'busybox', 'cat');
  try {
    const body = JSON.stringify({ Detach: false, Stream: true, Stdin: true, Stdout: true, Marker: 'json-body-leak' });
    // Body and stdin in one write: the body must be cut out of what arrives with the request, not just skipped.
    const request =
      'POST /containers/catter/attach?stream=1&stdin=1&stdout=1&stderr=1 HTTP/1.1\r\nHost: berth\r\n' +
      'Connection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}first-line\n`;
    const sock = connect(s.d.socketPath);
    sock.on('error', () => {});
    let raw = Buffer.alloc(0);
    sock.on('data', (b: Buffer) => {
      raw = Buffer.concat([raw, b]);
    });
    sock.write(request);
    const output = () => {
      const end = raw.indexOf('\r\n\r\n');
      if (end < 0) return '';
      let text = '';
      demux((_stream, payload) => {
        text += payload.toString();
      }).push(raw.subarray(end + 4));
      return text;
    };
    await eventually('the first line echoed', async () => output().includes('first-line\n'));
    sock.write('second-line\n');
    await eventually('the second line echoed', async () => output().includes('second-line\n'));
    assert.match(raw.toString('latin1'), /^HTTP\/1\.1 101 /);
    assert.equal(output(), 'first-line\nsecond-line\n');
    sock.destroy();
    const logs = await s.d.docker('logs', 'catter');
    assert.doesNotMatch(logs.stdout, /json-body-leak/);
    assert.equal(logs.stdout, 'first-line\nsecond-line\n');
  } finally {
    await s.d.docker('rm', '-f', 'catter');
  }
});
