// Issue 10 end to end on SFTP (an OpenSSH password account): see test/helpers/outcome.ts. Here
// also: the account's password changed under a running sidecar, which keeps running (healthy:
// the database is there) but logs every failed upload: the log check quotes it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSftp } from '../harness/storage-sftp.js';
import { useLitestream05Image, useRealLitestream } from '../harness/storage-docker.js';
import { REPO } from '../helpers/world.js';
import { outcomeSuite } from '../helpers/outcome.js';

const SIDECAR = 'docker ps -aq --filter label=com.docker.compose.service=app-litestream';
const FRESH = 'N3w pass:w0rd';

outcomeSuite({
  label: 'SFTP (OpenSSH)',
  mix: 'jamstack-litestream-sftp',
  target: 'sftp',
  replicaPath: 'LitestreamViteTest.sqlite',
  start: () => startSftp({ dirs: ['MyApp.sqlite', 'LitestreamViteTest.sqlite'] }),
  prepare: (w) => useRealLitestream(w.host),
  env: (sftp) => ({ SFTP_USERNAME: sftp.user, SFTP_PASSWORD: sftp.password, SFTP_HOST: '127.0.0.1', SFTP_PORT: String(sftp.port) }),
  secrets: (sftp) => [sftp.password, encodeURIComponent(sftp.password), 'N3w pass:w0rd'],
  more: (get) => {
    test('the password changed under the sidecar: --verify exits 1 quoting Litestream\'s error, no secret shown', async () => {
      const { w, s, env } = get();
      const fresh = FRESH;
      const pw = await s.sshd.run(`echo '${s.user}:${fresh}' | chpasswd`);
      assert.equal(pw.code, 0, pw.stderr);
      const start = await w.host.run(`docker start $(${SIDECAR})`);
      assert.equal(start.code, 0, start.stderr);
      // Its first upload fails at once; give it a moment to say so.
      await new Promise((r) => setTimeout(r, 3000));
      const r = await w.run([...w.baseArgs('sftp'), '--verify'], { ...env, SFTP_PASSWORD: fresh });
      const out = r.stdout + r.stderr;
      assert.equal(r.code, 1, out);
      assert.match(out, /Litestream log[\s\S]*Litestream logged an error since it started: .*unable to authenticate/);
      for (const v of [fresh, s.password, encodeURIComponent(s.password), encodeURIComponent(fresh)]) assert.ok(!out.includes(v), 'a password was printed');
    });

    test('an unpinned image that is 0.5 and the 0.3 replica (no 0.5 restores SFTP ones): --yes stops naming --repair-workflow; with it the pin is committed, released and checked', async () => {
      const { w } = get();
      const env = { ...get().env, SFTP_PASSWORD: FRESH };
      await useLitestream05Image(w.host);
      w.gh.reset();
      await w.host.clearDockerCalls();
      const no = await w.run(w.baseArgs('sftp'), env);
      const out = no.stdout + no.stderr;
      assert.equal(no.code, 1, out);
      assert.match(out, /written by Litestream 0\.3[\s\S]*cannot restore it/);
      assert.match(out, /Workflow repair[\s\S]*would start on an empty database[\s\S]*--repair-workflow/);
      assert.equal(w.gh.events().length, 0, 'no GitHub write');
      const before = w.deploys().length;
      const r = await w.run([...w.baseArgs('sftp'), '--repair-workflow'], env);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const compose = w.gh.files(REPO)['.deploy/docker-compose-template.yml']!;
      assert.match(compose, /^ {4}image: litestream\/litestream:0\.3\.13$/m);
      assert.match(w.gh.commits(REPO)[0]!.message, /^Pin Litestream to the version that restores the replica \[skip ci\]/);
      assert.equal(w.deploys().length, before + 1);
      assert.match(r.stdout, /^done restore-drill: restored .* integrity ok/m);
    });
  },
});
