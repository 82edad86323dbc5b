// A host that an interrupted run of an older version left behind (issue 7, item 1): an
// empty /usr/local/bin/docker-compose with mode 0755, the same empty file kept as
// docker-compose.orig by the re-run, and an empty proxy compose file. The whole program
// repairs it: the plan names the unfinished shim, and nothing empty is kept.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { renderProxyCompose } from '../../src/steps/proxy-compose.js';
import { SHIM_PATH, SHIM_TEXT } from '../../src/host/layout.js';
import { skipWithoutSshd, startWorld, type World } from '../helpers/world.js';

const PROXY = '/home/deploy/.deploy/nginx-proxy/nginx-proxy-compose.yml';

describe('a host an interrupted older run left half-written', { skip: skipWithoutSshd(), concurrency: false }, () => {
  let w: World;
  before(async () => {
    w = await startWorld({ mix: 'blazor-litestream-aws' });
    const r = await w.host.run(
      [
        `: > ${SHIM_PATH} && chmod 755 ${SHIM_PATH} && cp -p ${SHIM_PATH} ${SHIM_PATH}.orig`,
        "useradd --create-home --shell /bin/bash --password '*' --groups docker deploy",
        `runuser -u deploy -- sh -c 'umask 077; mkdir -p ${PROXY.slice(0, PROXY.lastIndexOf('/'))} && : > ${PROXY}'`,
      ].join(' && '),
    );
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => w?.stop());

  test('the plan names the unfinished shim; the run writes shim and proxy file whole and keeps no empty .orig', async () => {
    const plan = await w.run([...w.baseArgs('aws'), '--dry-run']);
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /replace the unfinished \/usr\/local\/bin\/docker-compose an interrupted earlier run left/);
    assert.doesNotMatch(plan.stdout, /kept as \/usr\/local\/bin\/docker-compose\.orig/);

    const r = await w.run(w.baseArgs('aws'));
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const shim = await w.host.run(`stat -c '%a %s' ${SHIM_PATH}; cat ${SHIM_PATH}; test -e ${SHIM_PATH}.orig && echo ORIG-KEPT || true`);
    assert.equal(shim.stdout, `755 ${Buffer.byteLength(SHIM_TEXT)}\n${SHIM_TEXT}`);
    const proxy = await w.host.run(`stat -c '%a %U' ${PROXY}; cat ${PROXY}; ls -A ${PROXY.slice(0, PROXY.lastIndexOf('/'))} /usr/local/bin`);
    assert.ok(proxy.stdout.startsWith(`600 deploy\n${renderProxyCompose('network', 'ops@acme.io')}`), proxy.stdout);
    assert.doesNotMatch(proxy.stdout, /\.clh\./, 'no temp file left');
  });
});
