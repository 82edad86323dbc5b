import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeWorkflow, secretRefs, seedSecretNames, WorkflowParseError } from '../../src/github/workflow.js';
import { storageSecretNames } from '../../src/targets/index.js';
import { proxyGenerationOf } from '../../src/steps/proxy-compose.js';
import { mixes } from '../helpers/fixtures.js';

test('all nine mix workflows: secrets, host secret, target, retired runners, dispatch', () => {
  const all = mixes();
  assert.equal(all.length, 9);
  for (const m of all) {
    const wf = analyzeWorkflow(m.workflow);
    const host = m.family === 'jamstack' ? 'DEPLOY_API' : 'DEPLOY_HOST';
    const expected = new Set([host, 'DEPLOY_USERNAME', 'DEPLOY_KEY', 'LETSENCRYPT_EMAIL', 'GITHUB_TOKEN', ...storageSecretNames(m.target)]);
    if (m.family === 'web') expected.add('DEPLOY_PORT');
    if (m.family === 'blazor') expected.add('APPSETTINGS_PATCH');
    if (m.family === 'jamstack') expected.add('DEPLOY_CDN');
    assert.deepEqual(new Set(wf.secrets), expected, m.name);
    assert.equal(wf.hostSecret, host, m.name);
    assert.equal(wf.target, m.target, m.name);
    assert.equal(wf.dispatchable, true, m.name);
    assert.deepEqual(wf.requiredInputs, [], `${m.name}: version has a default`);
    assert.equal(wf.retiredRunners.length > 0, m.family !== 'blazor', m.name);
    if (m.family !== 'blazor') assert.ok(wf.retiredRunners.every((r) => r.runner === 'ubuntu-20.04'));
    assert.equal(wf.hardCodedPort22, true, m.name);
  }
});

test('proxy generation: blazor joins the nginx network, web and jamstack use the bridge', () => {
  for (const m of mixes()) assert.equal(proxyGenerationOf(m.compose), m.family === 'blazor' ? 'network' : 'bridge', m.name);
  assert.equal(proxyGenerationOf(undefined), undefined);
});

test('secret references: dot and index syntax, bare if: expressions, nothing from comments', () => {
  assert.deepEqual(secretRefs("${{ secrets.A_1 }} ${{ secrets['B'] }} ${{ format('{0}', secrets.C) }}"), ['A_1', 'B', 'C']);
  const wf = analyzeWorkflow(`
on: { workflow_dispatch: {} }
# \${{ secrets.IN_COMMENT }}
jobs:
  j:
    runs-on: ubuntu-latest
    if: secrets.BARE != ''
    steps:
      - run: echo \${{ secrets.RUN }}
`);
  assert.deepEqual(wf.secrets, ['BARE', 'RUN']);
  assert.equal(wf.retiredRunners.length, 0);
});

test('dispatch forms and required inputs', () => {
  assert.equal(analyzeWorkflow('on: workflow_dispatch\njobs: {}').dispatchable, true);
  assert.equal(analyzeWorkflow('on: [push, workflow_dispatch]\njobs: {}').dispatchable, true);
  assert.equal(analyzeWorkflow('on: push\njobs: {}').dispatchable, false);
  const wf = analyzeWorkflow('on:\n  workflow_dispatch:\n    inputs:\n      env: { required: true }\n      version: { required: true, default: latest }\njobs: {}');
  assert.deepEqual(wf.requiredInputs, ['env']);
});

test('invalid YAML is a clear error', () => {
  assert.throws(() => analyzeWorkflow('on: [\n'), WorkflowParseError);
});

test('seed names when there is no workflow', () => {
  assert.deepEqual(seedSecretNames('sftp'), ['DEPLOY_API', 'DEPLOY_USERNAME', 'DEPLOY_KEY', 'LETSENCRYPT_EMAIL', 'SFTP_USERNAME', 'SFTP_PASSWORD', 'SFTP_HOST', 'SFTP_PORT']);
});
