// The daemon's network options: --bip, --fixed-cidr, --mtu, --dns, --dns-search, --ipv6 with --fixed-cidr-v6 shape
// the default bridge and what its containers get.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { daemonSuite, eventually, inspect } from '../daemon/helpers.js';

const s = await daemonSuite({
  args: [
    '--bip=10.55.0.1/24',
    '--fixed-cidr=10.55.0.128/25',
    '--mtu=1400',
    '--dns=9.9.9.9',
    '--dns-search=corp.example',
    '--ipv6',
    '--fixed-cidr-v6=fd00:55::/64',
  ],
});

test('the default bridge follows --bip, --fixed-cidr, --mtu, --ipv6; containers get the daemon --dns', {
  skip: s.skip,
}, async () => {
  const { d } = s;
  const net = JSON.parse((await d.docker('network', 'inspect', 'bridge')).stdout)[0];
  assert.deepEqual(net.IPAM.Config, [
    { Subnet: '10.55.0.0/24', IPRange: '10.55.0.128/25', Gateway: '10.55.0.1' },
    { Subnet: 'fd00:55::/64', Gateway: 'fd00:55::1' },
  ]);
  assert.equal(net.EnableIPv6, true);
  assert.equal(net.Options['com.docker.network.driver.mtu'], '1400');
  const bridge = await d.inSandbox('ip', ['-o', 'addr', 'show', 'berth0']);
  assert.match(bridge.stdout, /inet 10\.55\.0\.1\/24/);
  await d.docker('run', '-d', '--name', 'cc', 'busybox', 'sleep', '60');
  assert.equal(await inspect(d, 'cc', '{{.NetworkSettings.IPAddress}}'), '10.55.0.128');
  assert.match(await inspect(d, 'cc', '{{.NetworkSettings.GlobalIPv6Address}}'), /^fd00:55::/);
  const link = await d.docker('exec', 'cc', 'ip', '-o', 'link', 'show', 'eth0');
  assert.match(link.stdout, /mtu 1400/);
  const resolv = await d.docker('exec', 'cc', 'cat', '/etc/resolv.conf');
  assert.match(resolv.stdout, /^nameserver 9\.9\.9\.9$/m);
  assert.match(resolv.stdout, /^search corp\.example$/m);
  const own = await d.docker('run', '--rm', '--dns', '1.1.1.1', 'busybox', 'cat', '/etc/resolv.conf');
  assert.match(own.stdout, /^nameserver 1\.1\.1\.1$/m);
  assert.doesNotMatch(own.stdout, /9\.9\.9\.9/);
  const ping = await d.dockerResult(['exec', 'cc', 'ping6', '-c', '1', '-W', '3', 'fd00:55::1']);
  assert.equal(ping.code, 0, ping.stdout + ping.stderr);
  await d.docker('rm', '-f', 'cc');

  // A published port answers on the host's IPv6 address too, and inspect lists both families.
  const serve = 'mkdir -p /www && echo dual > /www/index.html && exec httpd -f -p 80 -h /www';
  await d.docker('run', '-d', '--name', 'dual', '-p', '8089:80', 'busybox', 'sh', '-c', serve);
  assert.equal(
    await inspect(d, 'dual', '{{json .NetworkSettings.Ports}}'),
    '{"80/tcp":[{"HostIp":"0.0.0.0","HostPort":"8089"},{"HostIp":"::","HostPort":"8089"}]}',
  );
  const v6 = await eventually('the port over IPv6', async () => {
    const r = await d.inSandbox('curl', ['-sf', '-m', '3', '-g', 'http://[fd00:55::1]:8089/']);
    return r.code === 0 ? r.stdout : undefined;
  });
  assert.equal(v6, 'dual\n');
  const v4 = await d.inSandbox('curl', ['-sf', '-m', '3', 'http://127.0.0.1:8089/']);
  assert.equal(v4.stdout, 'dual\n');
  await d.docker('rm', '-f', 'dual');
});
