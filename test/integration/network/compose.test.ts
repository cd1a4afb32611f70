// Debian's docker-compose (1.29, over docker-py) against berthd: a two-service project with a published port and
// service-name DNS comes up on its `<project>_default` network, and `down` removes the containers and the network.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCommand } from '../../fixtures/berthd.js';
import { daemonSuite, eventually } from '../daemon/helpers.js';

const s = await daemonSuite();
const compose = '/usr/bin/docker-compose';

const PROJECT = `version: "2.4"
services:
  api:
    image: busybox
    command: ["sh", "-c", "mkdir -p /www && echo from-api > /www/index.html && exec httpd -f -p 80 -h /www"]
  front:
    image: busybox
    command: ["sh", "-c", "mkdir -p /www && wget -q -O /www/index.html http://api/ && exec httpd -f -p 80 -h /www"]
    ports: ["8088:80"]
    depends_on: [api]
    restart: on-failure
`;

test('docker-compose up: service names resolve, the published port answers; down removes the network', {
  skip: s.skip,
}, async () => {
  const { d } = s;
  const dir = await mkdtemp(join(tmpdir(), 'berth-compose-'));
  const env = { ...process.env, DOCKER_HOST: d.host, COMPOSE_PROJECT_NAME: 'demo' };
  const run = (...args: string[]) =>
    runCommand(compose, ['-f', join(dir, 'docker-compose.yml'), ...args], { env, timeoutMs: 120_000 });
  try {
    await writeFile(join(dir, 'docker-compose.yml'), PROJECT);
    const up = await run('up', '-d');
    assert.equal(up.code, 0, up.stderr);
    const nets = await d.docker('network', 'ls', '--format', '{{.Name}}');
    assert.match(nets.stdout, /^demo_default$/m);
    const body = await eventually(
      'front serves what it fetched from api by name',
      async () => {
        const r = await d.inSandbox('curl', ['-sf', '-m', '3', 'http://127.0.0.1:8088/']);
        return r.code === 0 ? r.stdout : undefined;
      },
      30_000,
      250,
    );
    assert.equal(body, 'from-api\n');
    const ps = await run('ps');
    assert.match(ps.stdout, /demo_front_1 .* Up .*8088->80\/tcp/);

    const down = await run('down');
    assert.equal(down.code, 0, down.stderr);
    const after = await d.docker('network', 'ls', '--format', '{{.Name}}');
    assert.doesNotMatch(after.stdout, /demo_default/);
    assert.equal((await d.docker('ps', '-aq')).stdout, '');
  } finally {
    await run('down').catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
});
