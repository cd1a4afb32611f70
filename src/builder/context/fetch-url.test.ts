// ADD <url> downloads from a local HTTP server. The file re-runs itself in its own network and mount namespaces
// (src/network/netns.test.ts's pattern), so its 127.0.0.1 server is private to it.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isInvalidParameter } from '../../errdefs/index.js';
import { reexecInNamespaces } from '../../network/testing.js';
import { fetchUrlSource } from './fetch-url.js';

const skip = process.getuid?.() !== 0 ? 'needs root' : !existsSync('/usr/bin/unshare') ? 'needs util-linux' : undefined;

if (!(skip === undefined && reexecInNamespaces(import.meta.url, ['--net'], 'fetch-url tests'))) {
  describe('fetchUrlSource', { ...(skip ? { skip } : {}) }, () => {
    let server: Server;
    let base: string;
    let dir: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'berth-fetch-'));
      server = createServer((req, res) => {
        if (req.url === '/files/tool.sh') {
          res.writeHead(200, { 'Last-Modified': 'Tue, 14 Nov 2023 22:13:20 GMT' });
          res.end('#!/bin/sh\necho hi\n');
        } else if (req.url === '/moved') {
          res.writeHead(302, { Location: '/files/tool.sh' });
          res.end();
        } else if (req.url === '/download/') {
          res.writeHead(200, { 'Content-Disposition': 'attachment; filename="report.csv"' });
          res.end('a,b\n');
        } else {
          res.writeHead(404, { 'Content-Type': 'text/plain' });
          res.end('no such thing');
        }
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await rm(dir, { recursive: true, force: true });
    });

    it('names the file from the URL, makes it 0600 and takes the mtime from Last-Modified', async () => {
      const sub = await mkdtemp(join(dir, 'a-'));
      const got = await fetchUrlSource(`${base}/files/tool.sh`, sub);
      assert.deepEqual(got, { file: join(sub, 'tool.sh'), name: 'tool.sh', mtime: 1_700_000_000 });
      assert.equal(await readFile(got.file, 'utf8'), '#!/bin/sh\necho hi\n');
      const st = await stat(got.file);
      assert.equal(st.mode & 0o777, 0o600);
      assert.equal(st.mtimeMs, 1_700_000_000_000);
    });

    it('follows redirects (named from the URL asked for) and falls back to Content-Disposition', async () => {
      const moved = await fetchUrlSource(`${base}/moved`, await mkdtemp(join(dir, 'b-')));
      assert.equal(moved.name, 'moved');
      assert.equal(await readFile(moved.file, 'utf8'), '#!/bin/sh\necho hi\n');
      const disp = await fetchUrlSource(`${base}/download/`, await mkdtemp(join(dir, 'c-')));
      assert.equal(disp.name, 'report.csv');
      assert.equal(disp.mtime, undefined);
    });

    it("fails with Docker's message on an HTTP error or an unreachable server", async () => {
      await assert.rejects(
        fetchUrlSource(`${base}/missing`, await mkdtemp(join(dir, 'd-'))),
        (e) =>
          isInvalidParameter(e) &&
          e.message === `failed to GET ${base}/missing with status 404 Not Found: no such thing`,
      );
      await assert.rejects(fetchUrlSource('http://127.0.0.1:1/x', await mkdtemp(join(dir, 'e-'))), isInvalidParameter);
    });
  });
}
