// User-defined networks against a real sandboxed berthd: names and aliases through the embedded DNS (127.0.0.11),
// isolation between networks and from the default bridge, --internal, live connect/disconnect, IPv6 between two
// containers, and a network's bridge and rules gone with it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { repoRoot } from '../../fixtures/index.js';
import { daemonSuite, eventually, inspect } from '../daemon/helpers.js';

const s = await daemonSuite();
const root = await repoRoot();

const web = (name: string, body: string, ...flags: string[]) =>
  s.d.docker(
    'run',
    '-d',
    '--name',
    name,
    ...flags,
    'busybox',
    'sh',
    '-c',
    `mkdir -p /www && echo ${body} > /www/index.html && exec httpd -f -p 80 -h /www`,
  );

/** Whether a TCP connection from a new container with `flags` to host:port succeeds within 2 s. */
async function reaches(flags: string[], host: string, port = 80): Promise<boolean> {
  const r = await s.d.dockerResult([
    'run',
    '--rm',
    ...flags,
    'busybox',
    'sh',
    '-c',
    `nc -w 2 ${host} ${port} </dev/null`,
  ]);
  return r.code === 0;
}

/** The IPv4 addresses busybox nslookup gives for `name` from a container with `flags`. */
async function lookup(flags: string[], name: string): Promise<string[]> {
  const r = await s.d.dockerResult(['run', '--rm', ...flags, 'busybox', 'nslookup', '-type=a', name]);
  const answer = r.stdout
    .split(/\n\s*\n/)
    .slice(1)
    .join('\n');
  return [...answer.matchAll(/^Address:\s*(\d+\.\d+\.\d+\.\d+)$/gm)].map((m) => m[1] ?? '').sort();
}

test('containers on a user network find each other by name, alias and short id through 127.0.0.11', {
  skip: s.skip,
}, async () => {
  const { d } = s;
  await d.docker('network', 'create', 'app');
  const id = (await web('db', 'hello-db', '--network', 'app', '--network-alias', 'database')).stdout.trim();
  const ip = await inspect(d, 'db', '{{.NetworkSettings.Networks.app.IPAddress}}');
  assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/);
  assert.equal(
    await inspect(d, 'db', '{{.NetworkSettings.IPAddress}}'),
    '',
    "top-level fields are the default bridge's",
  );
  const resolv = await d.docker('run', '--rm', '--network', 'app', 'busybox', 'cat', '/etc/resolv.conf');
  assert.match(resolv.stdout, /^nameserver 127\.0\.0\.11$/m);
  assert.deepEqual(await lookup(['--network', 'app'], 'db'), [ip]);
  assert.deepEqual(await lookup(['--network', 'app'], 'database'), [ip]);
  assert.deepEqual(await lookup(['--network', 'app'], id.slice(0, 12)), [ip]);
  const got = await d.docker('run', '--rm', '--network', 'app', 'busybox', 'wget', '-q', '-O', '-', 'http://database/');
  assert.equal(got.stdout, 'hello-db\n');

  // An alias two containers share answers with both addresses.
  await d.docker(
    'run',
    '-d',
    '--name',
    'db2',
    '--network',
    'app',
    '--network-alias',
    'database',
    'busybox',
    'sleep',
    '60',
  );
  const ip2 = await inspect(d, 'db2', '{{.NetworkSettings.Networks.app.IPAddress}}');
  assert.deepEqual(await lookup(['--network', 'app'], 'database'), [ip, ip2].sort());
  // Names of other networks are not answered there (the default bridge has no embedded DNS at all).
  await d.docker('network', 'create', 'other');
  assert.deepEqual(await lookup(['--network', 'other'], 'db'), []);
  // A legacy --link on a user network is an alias for the linking container only.
  const linked = await d.docker(
    'run',
    '--rm',
    '--network',
    'app',
    '--link',
    'db:backend',
    'busybox',
    'wget',
    '-q',
    '-O',
    '-',
    'http://backend/',
  );
  assert.equal(linked.stdout, 'hello-db\n');
  assert.deepEqual(await lookup(['--network', 'app'], 'backend'), []);
  const inspectNet = JSON.parse((await d.docker('network', 'inspect', 'app')).stdout)[0];
  assert.deepEqual(Object.keys(inspectNet.Containers).sort(), [id, await inspect(d, 'db2', '{{.Id}}')].sort());
  assert.equal(inspectNet.Containers[id].IPv4Address, `${ip}/${inspectNet.IPAM.Config[0].Subnet.split('/')[1]}`);
  await d.docker('rm', '-f', 'db2');
});

test("other names go to the container's own --dns through berthd, a loopback resolver of the host included", {
  skip: s.skip,
}, async () => {
  const { d } = s;
  // A stand-in resolver on the sandbox's loopback (as systemd-resolved's 127.0.0.53), answering every A query.
  const packet = join(root, 'node_modules', 'dns-packet');
  const server = `const p=require(${JSON.stringify(packet)});const s=require('dgram').createSocket('udp4');
s.on('message',(m,r)=>{const q=p.decode(m);s.send(p.encode({id:q.id,type:'response',flags:p.RECURSION_DESIRED|p.RECURSION_AVAILABLE,
questions:q.questions,answers:[{type:'A',name:q.questions[0].name,ttl:60,data:'203.0.113.7'}]}),r.port,r.address);});
s.bind(53,'127.0.0.77',()=>console.log('ready'));setTimeout(()=>process.exit(0),20000);`;
  const running = d.inSandbox(process.execPath, ['-e', server], { timeoutMs: 30_000 });
  try {
    const got = await eventually('the stand-in resolver answers through the embedded DNS', async () => {
      const r = await lookup(['--network', 'app', '--dns', '127.0.0.77'], 'outside.example');
      return r.length > 0 ? r : undefined;
    });
    assert.deepEqual(got, ['203.0.113.7']);
    // The container's own names still answer locally.
    assert.deepEqual(await lookup(['--network', 'app', '--dns', '127.0.0.77'], 'db'), [
      await inspect(d, 'db', '{{.NetworkSettings.Networks.app.IPAddress}}'),
    ]);
  } finally {
    await d.inSandbox('pkill', ['-f', '127.0.0.77']);
    await running;
  }
});

test('networks are isolated from each other and from the default bridge; --internal has no way out', {
  skip: s.skip,
}, async () => {
  const { d } = s;
  const ip = await inspect(d, 'db', '{{.NetworkSettings.Networks.app.IPAddress}}');
  assert.equal(await reaches(['--network', 'app'], ip), true);
  assert.equal(await reaches(['--network', 'other'], ip), false);
  assert.equal(await reaches([], ip), false, 'from the default bridge');
  await web('onbridge', 'hello-bridge');
  const bridgeIp = await inspect(d, 'onbridge', '{{.NetworkSettings.IPAddress}}');
  assert.equal(await reaches([], bridgeIp), true);
  assert.equal(await reaches(['--network', 'app'], bridgeIp), false, 'from a user network to the default bridge');

  await d.docker('network', 'create', '--internal', 'sealed');
  const routes = await d.docker('run', '--rm', '--network', 'sealed', 'busybox', 'ip', 'route');
  assert.doesNotMatch(routes.stdout, /default/);
  assert.equal(await reaches(['--network', 'sealed'], bridgeIp), false);
  await web('inside', 'hello-inside', '--network', 'sealed');
  const insideIp = await inspect(d, 'inside', '{{.NetworkSettings.Networks.sealed.IPAddress}}');
  assert.equal(await reaches(['--network', 'sealed'], insideIp), true, 'within the internal network');
  assert.equal(await reaches([], insideIp), false, 'nothing reaches in');
  await d.docker('rm', '-f', 'onbridge', 'inside');
});

test('network connect and disconnect change a running container at once', { skip: s.skip }, async () => {
  const { d } = s;
  const since = Math.floor(Date.now() / 1000) - 1;
  // Started on a user network (a default-bridge container has no embedded DNS to ask, with Docker too).
  await d.docker('run', '-d', '--name', 'roamer', '--network', 'other', 'busybox', 'sleep', '120');
  assert.equal(await inspect(d, 'roamer', '{{len .NetworkSettings.Networks}}'), '1');
  await d.docker('network', 'connect', '--alias', 'wanderer', 'app', 'roamer');
  const ip = await inspect(d, 'roamer', '{{.NetworkSettings.Networks.app.IPAddress}}');
  const links = await d.docker('exec', 'roamer', 'ip', '-o', '-4', 'addr');
  assert.match(links.stdout, new RegExp(`eth1\\s+inet ${ip.replace(/\./g, '\\.')}/`));
  const db = await d.docker('exec', 'roamer', 'wget', '-q', '-O', '-', 'http://db/');
  assert.equal(db.stdout, 'hello-db\n');
  assert.deepEqual(await lookup(['--network', 'app'], 'wanderer'), [ip]);
  const again = await d.dockerResult(['network', 'connect', 'app', 'roamer']);
  assert.notEqual(again.code, 0);
  assert.match(again.stderr, /endpoint with name roamer already exists in network app/);

  await d.docker('network', 'disconnect', 'app', 'roamer');
  const after = await d.docker('exec', 'roamer', 'ip', '-o', 'link');
  assert.doesNotMatch(after.stdout, /eth1/);
  assert.deepEqual(await lookup(['--network', 'app'], 'wanderer'), []);
  assert.equal(await inspect(d, 'roamer', '{{len .NetworkSettings.Networks}}'), '1');
  const events = await d.docker(
    'events',
    '--since',
    String(since),
    '--until',
    String(Math.ceil(Date.now() / 1000) + 1),
    '--filter',
    'type=network',
    '--format',
    '{{.Action}} {{.Actor.Attributes.name}}',
  );
  assert.match(events.stdout, /^connect app$/m);
  assert.match(events.stdout, /^disconnect app$/m);
  const missing = await d.dockerResult(['network', 'connect', 'nosuchnet', 'roamer']);
  assert.match(missing.stderr, /network nosuchnet not found/);
  await d.docker('rm', '-f', 'roamer');
});

test('--ip picks the address on a network with a subnet; a taken or foreign one is refused', {
  skip: s.skip,
}, async () => {
  const { d } = s;
  await d.docker('network', 'create', '--subnet', '10.123.0.0/24', 'fixed');
  await d.docker(
    'run',
    '-d',
    '--name',
    'pinned',
    '--network',
    'fixed',
    '--ip',
    '10.123.0.50',
    'busybox',
    'sleep',
    '60',
  );
  assert.equal(await inspect(d, 'pinned', '{{.NetworkSettings.Networks.fixed.IPAddress}}'), '10.123.0.50');
  const inside = await d.docker('exec', 'pinned', 'ip', '-o', '-4', 'addr', 'show', 'eth0');
  assert.match(inside.stdout, /inet 10\.123\.0\.50\/24/);
  const taken = await d.dockerResult(['run', '--rm', '--network', 'fixed', '--ip', '10.123.0.50', 'busybox', 'true']);
  assert.notEqual(taken.code, 0);
  assert.match(taken.stderr, /Address already in use/);
  const foreign = await d.dockerResult(['run', '--rm', '--network', 'fixed', '--ip', '10.9.9.9', 'busybox', 'true']);
  assert.match(foreign.stderr, /no configured subnet or ip-range contain the IP address 10\.9\.9\.9/);
  const auto = await d.dockerResult(['run', '--rm', '--network', 'app', '--ip', '10.200.0.9', 'busybox', 'true']);
  assert.match(auto.stderr, /supported only when connecting to networks with user configured subnets/);
  const onBridge = await d.dockerResult(['run', '--rm', '--ip', '172.17.0.99', 'busybox', 'true']);
  assert.match(onBridge.stderr, /user specified IP address is supported on user defined networks only/);
  await d.docker('rm', '-f', 'pinned');
  await d.docker('network', 'rm', 'fixed');
});

test('a dual-stack network: two containers reach each other over IPv6', { skip: s.skip }, async () => {
  const { d } = s;
  await d.docker('network', 'create', '--ipv6', '--subnet', 'fd00:77::/64', 'v6');
  await web('six', 'hello-six', '--network', 'v6');
  const ip6 = await inspect(d, 'six', '{{.NetworkSettings.Networks.v6.GlobalIPv6Address}}');
  assert.match(ip6, /^fd00:77::/);
  assert.equal(await inspect(d, 'six', '{{.NetworkSettings.Networks.v6.IPv6Gateway}}'), 'fd00:77::1');
  const ping = await d.dockerResult(['run', '--rm', '--network', 'v6', 'busybox', 'ping6', '-c', '1', '-W', '3', ip6]);
  assert.equal(ping.code, 0, ping.stdout + ping.stderr);
  const got = await d.docker('run', '--rm', '--network', 'v6', 'busybox', 'wget', '-q', '-O', '-', `http://[${ip6}]/`);
  assert.equal(got.stdout, 'hello-six\n');
  await d.docker('rm', '-f', 'six');
});

test('a network in use cannot be removed; once free, its bridge and rules go with it', { skip: s.skip }, async () => {
  const { d } = s;
  const id = (await d.docker('network', 'inspect', '-f', '{{.Id}}', 'app')).stdout.trim();
  const busy = await d.dockerResult(['network', 'rm', 'app']);
  assert.notEqual(busy.code, 0);
  assert.match(busy.stderr, /has active endpoints/);
  await d.docker('rm', '-f', 'db');
  await d.docker('network', 'rm', 'app', 'other', 'sealed', 'v6');
  const bridge = await d.inSandbox('ip', ['link', 'show', `br-${id.slice(0, 12)}`]);
  assert.notEqual(bridge.code, 0, 'the bridge is gone');
  const rules = await d.inSandbox('nft', ['list', 'chain', 'inet', 'berth', 'forward']);
  assert.doesNotMatch(rules.stdout, /br-/);
  const left = await eventually('no endpoints left', async () => {
    const l = await d.leftovers();
    return l.links.length + l.netns.length === 0 ? l : undefined;
  });
  assert.deepEqual(left.links, []);
});
