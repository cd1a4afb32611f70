import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Digest, sha256 } from '../../lib/digest.js';
import { chainIds } from '../store/index.js';
import { parseImageConfig } from '../types.js';
import { goJson, goTime } from './gojson.js';
import { goContainerConfig, v1Layers } from './v1.js';

// container.Config{} as Docker 28 marshals it (the bytes docker save has always hashed for non-top layers).
const ZERO =
  '{"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":null,"Cmd":null,"Image":"","Volumes":null,"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":null}';
const hex = (d: Digest) => d.slice(7);

test('the zero container config marshals as Docker 28 writes it', () => {
  assert.equal(goJson(goContainerConfig(undefined)), ZERO);
});

test('legacy v1 layer IDs and json files follow moby CreateID', () => {
  const d0 = sha256('one');
  const d1 = sha256('two');
  const config = parseImageConfig(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: '1970-01-01T00:00:00Z',
      config: { Cmd: ['sh'] },
      rootfs: { type: 'layers', diff_ids: [d0, d1] },
    }),
  );
  const [base, top] = v1Layers(config, chainIds([d0, d1]));
  const baseId = sha256(`{"container_config":${ZERO},"created":"1970-01-01T00:00:00Z","layer_id":"${d0}"}`);
  assert.equal(base!.id, baseId);
  assert.equal(
    base!.json,
    `{"id":"${hex(baseId)}","created":"1970-01-01T00:00:00Z","container_config":${ZERO},"os":"linux"}`,
  );
  const run = ZERO.replace('"Cmd":null', '"Cmd":["sh"]');
  const chain = sha256(`${d0} ${d1}`);
  const topId = sha256(
    `{"architecture":"amd64","config":${run},"container_config":${ZERO},"created":"1970-01-01T00:00:00Z","layer_id":"${chain}","os":"linux","parent":"${baseId}"}`,
  );
  assert.equal(top!.id, topId);
  assert.equal(
    top!.json,
    `{"id":"${hex(topId)}","parent":"${hex(baseId)}","created":"1970-01-01T00:00:00Z","container_config":${ZERO},"config":${run},"architecture":"amd64","os":"linux"}`,
  );
});

test('Go formatting details: HTML escaping, sorted maps, RFC 3339 as Go prints it', () => {
  assert.equal(goJson({ a: '<&>' }), '{"a":"\\u003c\\u0026\\u003e"}');
  const c = goContainerConfig({ Labels: { b: '1', a: '2' }, ExposedPorts: {}, cmd: 'sh', StopTimeout: 0 });
  assert.deepEqual(Object.keys(c.Labels as object), ['a', 'b']);
  assert.equal(c.ExposedPorts, undefined); // omitempty
  assert.deepEqual(c.Cmd, ['sh']); // case-insensitive field match, string → slice
  assert.equal(c.StopTimeout, 0); // a pointer: present even when zero
  assert.equal(goTime('2024-01-01T10:00:00.120000Z'), '2024-01-01T10:00:00.12Z');
  assert.equal(goTime('2024-01-01T10:00:00.000+00:00'), '2024-01-01T10:00:00Z');
  assert.equal(goTime('2024-01-01T10:00:00+02:00'), '2024-01-01T10:00:00+02:00');
});
