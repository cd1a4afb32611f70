// Networking across daemon restarts (with --live-restore, so containers run on): addresses, published ports and
// names survive, no rule is doubled and no address handed out twice; without live restore, a restart gives all back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { daemonSuite, eventually, inspect } from '../daemon/helpers.js';

const s = await daemonSuite({ args: ['--live-restore'] });

const curl = async (url: string) => {
  const r = await s.d.inSandbox('curl', ['-sf', '-m', '3', url]);
  return r.code === 0 ? r.stdout : undefined;
};

/** The elements of one of berth's published-port maps. */
async function mapElements(name: string): Promise<unknown[]> {
  const r = await s.d.inSandbox('nft', ['-j', 'list', 'map', 'inet', 'berth', name]);
  const found = (JSON.parse(r.stdout) as { nftables: { map?: { elem?: unknown[] } }[] }).nftables.find((o) => o.map);
  return found?.map?.elem ?? [];
}

test('a restart keeps addresses, published ports and names, without doubling a rule or a lease', {
  skip: s.skip,
}, async () => {
  const { d } = s;
  await d.docker('network', 'create', 'keep');
  const serve = 'mkdir -p /www && echo kept > /www/index.html && exec httpd -f -p 80 -h /www';
  await d.docker('run', '-d', '--name', 'svc', '--network', 'keep', '-p', '9090:80', 'busybox', 'sh', '-c', serve);
  await d.docker('run', '-d', '--name', 'peer', '--network', 'keep', 'busybox', 'sleep', '300');
  const ip = await inspect(d, 'svc', '{{.NetworkSettings.Networks.keep.IPAddress}}');
  const peerIp = await inspect(d, 'peer', '{{.NetworkSettings.Networks.keep.IPAddress}}');
  assert.equal(await eventually('published', () => curl('http://127.0.0.1:9090/')), 'kept\n');
  const rulesBefore = (await d.inSandbox('nft', ['list', 'table', 'inet', 'berth'])).stdout;

  await d.restart(['--live-restore']);
  assert.equal(await eventually('published after the restart', () => curl('http://127.0.0.1:9090/')), 'kept\n');
  assert.equal(await inspect(d, 'svc', '{{.NetworkSettings.Networks.keep.IPAddress}}'), ip);
  assert.equal((await d.docker('port', 'svc')).stdout, '80/tcp -> 0.0.0.0:9090\n');
  assert.equal((await mapElements('pub4any')).length, 1);
  assert.equal((await d.inSandbox('nft', ['list', 'table', 'inet', 'berth'])).stdout, rulesBefore);
  // Names answer again, and a new container gets neither running container's address nor their port.
  const named = await d.docker('exec', 'peer', 'wget', '-q', '-O', '-', 'http://svc/');
  assert.equal(named.stdout, 'kept\n');
  await d.docker('run', '-d', '--name', 'newcomer', '--network', 'keep', 'busybox', 'sleep', '300');
  const fresh = await inspect(d, 'newcomer', '{{.NetworkSettings.Networks.keep.IPAddress}}');
  assert.ok(fresh !== ip && fresh !== peerIp, `${fresh} is new`);
  const taken = await d.dockerResult(['run', '-d', '--name', 'thief', '-p', '9090:80', 'busybox', 'true']);
  assert.equal(taken.code, 125);
  assert.match(taken.stderr, /port is already allocated/);

  await d.docker('rm', '-f', 'svc', 'peer', 'newcomer', 'thief');
  assert.deepEqual(await mapElements('pub4any'), []);
  await d.docker('network', 'rm', 'keep');
  await eventually('no endpoint left', async () => {
    const left = await d.leftovers();
    return left.links.length + left.netns.length === 0;
  });
});
