import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab } from '../../src/lab/lab.js';
import type { LabHandle } from '../../src/lab/lab.js';
import { createCertificateAuthority } from '../../src/util/x509.js';
import { runStep } from './runner.js';
import { changingRequests } from '../lab/request-log.js';

/**
 * The bad-input catalogue: each mistake a user can make with action-provision, run through the bundle as
 * the runner runs it against the lab. Each gives one clear error that names the input, field or value and
 * the fix, and creates nothing: no VM, no pool, no request that changes Proxmox, nothing in the state store.
 */
const TIME_SCALE = 0.01;
const ONE_WORKER = 'test/fixtures/twins/one-worker.yaml';
let lab: LabHandle;
let labLog: string;
let otherCaPem: string;
let specDir: string;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bad-input-lab-'));
  labLog = join(dir, 'requests.jsonl');
  lab = await startLab({ dir, timeScale: TIME_SCALE, logFile: labLog });
  otherCaPem = (await createCertificateAuthority('Someone else CA')).certPem;
  // Inside the workspace (the step's folder, this repository; tmp/ is ignored by git): specs are read only there.
  mkdirSync('tmp', { recursive: true });
  specDir = mkdtempSync(join(process.cwd(), 'tmp', 'bad-input-specs-'));
});
afterAll(async () => lab?.close());

function goodInputs(stateDir: string): Record<string, string> {
  return {
    spec: ONE_WORKER,
    twin: 'pr-5',
    operation: 'apply',
    tools: 'path',
    'state-dir': stateDir,
    'proxmox-endpoint': lab.endpoint.replace(/\/api2\/json$/, ''),
    'proxmox-token': lab.token,
    'proxmox-ca-file': lab.caFile,
  };
}

function labSnapshot() {
  return {
    vms: Object.keys(lab.state.data.vms).sort(),
    pools: Object.keys(lab.state.access.config.pools).sort(),
    changes: changingRequests(labLog).length,
  };
}

interface EditableSpec {
  clusters: { name: string; id: number; pods: string }[];
}

function specWith(name: string, change: (spec: EditableSpec) => void): string {
  const spec = parse(readFileSync(ONE_WORKER, 'utf8')) as EditableSpec;
  change(spec);
  const file = join(specDir, name);
  writeFileSync(file, stringify(spec));
  return file;
}

async function expectRefused(
  inputs: (good: Record<string, string>) => Record<string, string>,
  message: RegExp,
  env: NodeJS.ProcessEnv = {},
) {
  const stateDir = mkdtempSync(join(tmpdir(), 'bad-input-state-'));
  const before = labSnapshot();
  const run = await runStep('provision', {
    inputs: inputs(goodInputs(stateDir)),
    env: {
      PATH: `${lab.binDir}${delimiter}${process.env.PATH}`,
      TWIN_PACE_SCALE: String(TIME_SCALE),
      ...env,
    },
  });
  const errors = run.stdout.split('\n').filter((line) => line.startsWith('::error::'));
  expect(run.code).toBe(1);
  expect(errors).toHaveLength(1);
  expect(decodeURIComponent(errors[0]!.replace(/%0A/g, '\n'))).toMatch(message);
  expect(labSnapshot()).toEqual(before);
  expect(readdirSync(stateDir)).toEqual([]);
}

describe('bad input: a clear error, and nothing created', { timeout: 120_000 }, () => {
  it.each([
    [
      'malformed YAML',
      { spec: 'test/fixtures/specs/malformed-yaml.yaml' },
      /malformed-yaml\.yaml:\d+:\d+: error: YAML syntax: .*\(fix: /,
    ],
    [
      'a field of the wrong type',
      { spec: 'test/fixtures/specs/wrong-type.yaml' },
      /wrong-type\.yaml:\d+:\d+: error: proxmox\.slots\.count: count must be a number.*\(fix: /,
    ],
    [
      'a spec file that is not there',
      { spec: 'nowhere/twin.yaml' },
      /the twin spec "nowhere\/twin\.yaml" cannot be read \(ENOENT\); nothing was read or changed \(fix: pass the path/,
    ],
    [
      'a hostile twin name (shell)',
      { twin: 'pr-7;rm -rf /' },
      /twin "pr-7;rm -rf \/" is not a valid twin name: it must match/,
    ],
    [
      'a hostile twin name (path)',
      { twin: '../../etc' },
      /twin "\.\.\/\.\.\/etc" is not a valid twin name: it must match/,
    ],
    [
      'an unknown operation',
      { operation: 'delete' },
      /input operation is "delete": use one of apply, destroy, plan, reap/,
    ],
    [
      'a token without its secret',
      { 'proxmox-token': 'twin@pve!lab' },
      /^::error::input proxmox-token has no '=' between token id and secret: it must look like USER@REALM!TOKENID=SECRET/,
    ],
    [
      'a wrong token secret',
      { 'proxmox-token': 'twin@pve!lab=00000000-0000-4000-8000-000000000000' },
      /failed with 401: authentication failure - check the API token/,
    ],
    [
      'an endpoint that is not a URL',
      { 'proxmox-endpoint': 'pve1 port 8006' },
      /^::error::input proxmox-endpoint "pve1 port 8006" is not a URL: use the PVE API URL/,
    ],
    [
      'an unreachable endpoint',
      { 'proxmox-endpoint': 'https://127.0.0.1:9' },
      /ECONNREFUSED.*: check the endpoint https:\/\/127\.0\.0\.1:9 .*can reach it/,
    ],
    [
      'a fingerprint of another certificate',
      { fingerprint: 'AB' },
      /presented a certificate with SHA-256 fingerprint [0-9A-F:]+, but fingerprint is set to AB:AB:/,
    ],
  ] as [string, Record<string, string>, RegExp][])('%s', async (_name, change, message) => {
    const { fingerprint, ...rest } = change;
    await expectRefused(
      (good) =>
        fingerprint === undefined
          ? { ...good, ...rest }
          : {
              ...Object.fromEntries(Object.entries(good).filter(([key]) => key !== 'proxmox-ca-file')),
              'proxmox-fingerprint': Array.from({ length: 32 }, () => fingerprint).join(':'),
            },
      message,
    );
  });

  it('a CA that did not sign the Proxmox certificate', async () => {
    await expectRefused(
      ({ 'proxmox-ca-file': _ca, ...good }) => ({ ...good, 'proxmox-ca': otherCaPem }),
      /is not trusted by the configured CA .*check that the CA given is the cluster CA/,
    );
  });

  it('tools from PATH that PATH does not have', async () => {
    await expectRefused((good) => good, /PATH has no talosctl, kubectl, helm: install them/, {
      PATH: '/nonexistent',
    });
  });

  it('a spec that is a symlink out of the workspace', async () => {
    const outside = join(mkdtempSync(join(tmpdir(), 'bad-input-outside-')), 'twin.yaml');
    writeFileSync(outside, readFileSync(ONE_WORKER, 'utf8'));
    const link = join(specDir, 'linked-out.yaml');
    symlinkSync(outside, link);
    await expectRefused(
      (good) => ({ ...good, spec: link }),
      /the twin spec ".*linked-out\.yaml" resolves to ".*twin\.yaml", outside the workspace \(GITHUB_WORKSPACE\) .*; nothing was read or changed \(fix: keep the file inside the workspace/,
    );
  });

  it('a spec whose cluster names collide', async () => {
    const file = specWith('same-names.yaml', (spec) => {
      spec.clusters[1]!.name = spec.clusters[0]!.name;
    });
    await expectRefused(
      (good) => ({ ...good, spec: file }),
      /clusters\[1\]\.name: cluster name east is used twice.*\(fix: rename one of the clusters\)/,
    );
  });
});

describe('a spec change that a running twin cannot take in place', { timeout: 240_000 }, () => {
  it('is refused before anything changes, naming the cluster, the field and the way out', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'in-place-state-'));
    const env = { PATH: `${lab.binDir}${delimiter}${process.env.PATH}`, TWIN_PACE_SCALE: String(TIME_SCALE) };
    const applied = await runStep('provision', { inputs: goodInputs(stateDir), env });
    expect(applied.code).toBe(0);
    const moved = specWith('new-identity.yaml', (spec) => {
      spec.clusters[0]!.id = 9;
      spec.clusters[0]!.pods = '10.248.0.0/16';
    });
    const before = labSnapshot();
    const refused = await runStep('provision', { inputs: { ...goodInputs(stateDir), spec: moved }, env });
    expect(refused.code).toBe(1);
    const error = refused.stdout.split('\n').find((line) => line.startsWith('::error::'))!;
    expect(error.replace(/%0A/g, '\n')).toMatch(
      /twin pr-5 cannot take these changes in place, nothing was changed:\n {2}cluster east: id 1 -> 9\n {2}cluster east: pods 10\.244\.0\.0\/16 -> 10\.248\.0\.0\/16\n.*destroy the twin/,
    );
    // Nothing changed but the twin's lock, taken before the plan and released with the refusal.
    const after = labSnapshot();
    expect({ ...after, changes: before.changes }).toEqual(before);
    const lockRequests = changingRequests(labLog)
      .slice(before.changes)
      .map((request) => request.replace(/ .*\/pools.*$/, ' /pools'))
      .filter((request) => request !== 'PUT /pools'); // the lock's renewals, if the refusal took a while
    expect(lockRequests).toEqual(['POST /pools', 'DELETE /pools']);
    const destroyed = await runStep('provision', {
      inputs: { ...goodInputs(stateDir), operation: 'destroy' },
      env,
    });
    expect(destroyed.code).toBe(0);
  });
});
