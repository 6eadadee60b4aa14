import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { Ajv } from 'ajv';
import { parse, parseAllDocuments } from 'yaml';
import { contractFile } from '../../src/lab/contracts-dir.js';
import { talosSchemaErrors, withoutFieldsTheSchemaLacks } from '../talos/talos-schema.js';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab } from '../../src/lab/lab.js';
import type { LabHandle } from '../../src/lab/lab.js';
import { PveClient } from '../../src/proxmox/client.js';
import { parsePveConnection } from '../../src/proxmox/connection.js';
import { loadSpec } from '../../src/spec/load.js';
import { claimBeingBuilt } from '../lab/slot-fixture.js';
import { runStep } from './runner.js';
import { GitHubStandin, WRITE_TOKEN } from '../github/standin/server.js';

const validateCiliumValues = new Ajv({ strict: false, allErrors: true }).compile(
  JSON.parse(readFileSync(contractFile('ciliumValues'), 'utf8')) as object,
);

let lab: LabHandle;
beforeAll(async () => {
  lab = await startLab({ dir: mkdtempSync(join(tmpdir(), 'action-lab-')), timeScale: 0.002 });
});
afterAll(async () => lab?.close());

function inputs(extra: Record<string, string>): Record<string, string> {
  return {
    spec: 'examples/twin.yaml',
    'proxmox-endpoint': lab.endpoint.replace(/\/api2\/json$/, ''),
    'proxmox-token': lab.token,
    'proxmox-ca-file': lab.caFile,
    ...extra,
  };
}

describe('action-provision as the runner runs it', () => {
  it('plan: outputs the plan JSON and a summary, names the twin from the pull_request event, changes nothing', async () => {
    const eventDir = mkdtempSync(join(tmpdir(), 'event-'));
    const eventPath = join(eventDir, 'event.json');
    (await import('node:fs')).writeFileSync(
      eventPath,
      JSON.stringify({ number: 42, pull_request: { number: 42 } }),
    );
    const run = await runStep('provision', {
      inputs: inputs({ operation: 'plan' }),
      env: { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: eventPath },
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.outputs.twin).toBe('pr-42');
    expect(JSON.parse(run.outputs.plan!)).toHaveLength(12);
    expect(run.summary).toContain('Plan of twin pr-42');
    // ::add-mask:: is the runner's own command (consumed, never shown); every other line must be clean.
    const shown = run.stdout.split('\n').filter((line) => !line.startsWith('::add-mask::'));
    expect(run.stdout).toContain(`::add-mask::${lab.tokenSecret}`);
    expect(shown.join('\n')).not.toContain(lab.tokenSecret);
    expect(run.summary).not.toContain(lab.tokenSecret);
  });

  it("plan of a twin an apply would refuse: warns with the apply's reason, in the summary too, claims nothing", async () => {
    const root = new PveClient(
      parsePveConnection({ endpoint: lab.endpoint, token: lab.rootToken, caFile: lab.caFile }),
    );
    const building = await claimBeingBuilt(root, loadSpec('examples/twin.yaml').spec, 'pr-8');
    try {
      const run = await runStep('provision', { inputs: inputs({ operation: 'plan', twin: 'pr-43' }) });
      expect(run.code).toBe(0); // like a layer path the real systems refuse: told, not failed
      expect(run.stdout).toMatch(
        /^::warning::apply would refuse this twin, before claiming or changing anything: twin pr-43 does not fit the Proxmox nodes' free capacity \(free after what twins being built reserved: pr-8\), so nothing was created:%0A {2}pve\d needs/m,
      );
      expect(run.summary).toContain('An apply would refuse this twin, before claiming or changing anything');
      expect(run.summary).toMatch(/twin pr-43 does not fit the Proxmox nodes' free capacity/);
      const pools = await root.get<{ comment?: string }[]>('/pools');
      expect(pools.filter((pool) => (pool.comment ?? '').includes('slot of pr-43 '))).toEqual([]);
    } finally {
      await root.delete('/pools', { poolid: building });
    }
  });

  it('bad input touches nothing and names the input and the fix', async () => {
    const run = await runStep('provision', { inputs: inputs({ operation: 'upgrade', twin: 'pr-1' }) });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/input operation is "upgrade": use one of apply, destroy, plan/);
    const noToken = await runStep('provision', {
      inputs: { ...inputs({ twin: 'pr-1' }), 'proxmox-token': '' },
    });
    expect(noToken.stdout).toMatch(/input proxmox-token is required/);
  });

  it('the post entry, with its saved state and no inputs, removes the temporary files and nothing else', async () => {
    const runnerTemp = mkdtempSync(join(tmpdir(), 'runner-temp-'));
    const work = join(runnerTemp, 'aggrik8s-twin-pr-1-work');
    mkdirSync(join(work, 'east'), { recursive: true });
    const run = await runStep('cleanup', {
      state: { 'temporary-files': JSON.stringify([work]) },
      env: { RUNNER_TEMP: runnerTemp },
    });
    expect(run.code).toBe(0);
    expect(existsSync(work)).toBe(false);
    expect(existsSync(runnerTemp)).toBe(true);
  });
});

describe('action-mesh and action-day2 without the state of an apply', () => {
  it('name the store asked, both readings of an empty one and the ways out, and change nothing', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'action-empty-state-'));
    for (const entry of ['mesh', 'day2']) {
      const run = await runStep(entry, {
        inputs: { spec: 'examples/twin.yaml', twin: 'pr-78', tools: 'path', 'state-dir': stateDir },
      });
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(
        new RegExp(
          `the local state folder ${stateDir} holds no state of twin pr-78: nothing was changed\\. Either ` +
            'action-provision has not applied this twin yet .* or the twin runs and its state is elsewhere or ' +
            'lost\\. Ways out: .*twin state export .*destroy the twin',
        ),
      );
      expect(readdirSync(stateDir)).toEqual([]);
    }
  });

  it('name the missing apply when the store holds the twin but no record of an apply', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'action-half-state-'));
    mkdirSync(join(stateDir, 'pr-79', 'clusters', 'east'), { recursive: true });
    writeFileSync(join(stateDir, 'pr-79', 'clusters', 'east', 'secrets.yaml'), 'cluster: {}\n');
    const run = await runStep('mesh', {
      inputs: { spec: 'examples/twin.yaml', twin: 'pr-79', tools: 'path', 'state-dir': stateDir },
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /twin pr-79 has no record in the state store .*run action-provision \(operation apply\)/,
    );
  });
});

describe('action-provision apply, post and destroy on the lab', { timeout: 360_000 }, () => {
  it('converges a twin through the bundle, outputs paths not contents, and every produced config validates', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'action-state-'));
    const env = { PATH: `${lab.binDir}${delimiter}${process.env.PATH}`, TWIN_PACE_SCALE: '0.002' };
    const apply = await runStep('provision', {
      inputs: inputs({ twin: 'pr-77', operation: 'apply', tools: 'path', 'state-dir': stateDir }),
      env,
    });
    expect(apply.stdout).not.toMatch(/::error::/);
    expect(apply.code).toBe(0);
    const clusters = JSON.parse(apply.outputs.clusters!);
    expect(clusters.map((c: { name: string; nodes: unknown[] }) => [c.name, c.nodes.length])).toEqual([
      ['east', 6],
      ['west', 6],
    ]);
    const kubeconfigs = JSON.parse(apply.outputs.kubeconfigs!) as Record<string, string>;
    for (const path of Object.values(kubeconfigs)) {
      expect(statSync(path).mode & 0o777).toBe(0o600);
      const content = readFileSync(path, 'utf8');
      const key = /client-key-data: (\S+)/.exec(content)![1]!;
      for (const text of [apply.stdout, apply.summary, JSON.stringify(apply.outputs)])
        expect(text).not.toContain(key);
    }
    expect(apply.summary).toMatch(/Twin pr-77: ready/);
    expect(apply.summary).toMatch(
      /Its share of the lab: 12 VM\(s\) \(12 running\), \d+ cores, [\d.]+ GiB of memory, \d+ GiB of disk\. Destroyed after .* UTC unless pushed again or labelled "keep"/,
    );
    expect(apply.summary).toMatch(/Stage timings \(on the simulated lab\)/);

    // Every Talos machine config and Cilium values file the project produced holds to the contracts.
    const produced = readdirSync(join(stateDir, 'pr-77', 'clusters', 'east'));
    const nodeConfigs = produced.filter((name) => /^pr-77-east-(cp|w)-\d+\.yaml$/.test(name));
    expect(nodeConfigs).toHaveLength(6);
    for (const cluster of ['east', 'west']) {
      const dir = join(stateDir, 'pr-77', 'clusters', cluster);
      for (const name of readdirSync(dir).filter((n) => /^pr-77-.*\.yaml$/.test(n))) {
        for (const doc of parseAllDocuments(readFileSync(join(dir, name), 'utf8'))) {
          expect({ name, errors: talosSchemaErrors(withoutFieldsTheSchemaLacks(doc.toJS())) }).toEqual({
            name,
            errors: [],
          });
        }
      }
      const values = parse(readFileSync(join(dir, 'cilium-values.yaml'), 'utf8'));
      expect(validateCiliumValues(values), JSON.stringify(validateCiliumValues.errors)).toBe(true);
    }

    // action-mesh and action-day2 continue from the state action-provision left: no Proxmox inputs.
    const platformInputs = {
      spec: 'examples/twin.yaml',
      twin: 'pr-77',
      tools: 'path',
      'state-dir': stateDir,
    };
    const mesh = await runStep('mesh', { inputs: platformInputs, env });
    expect(mesh.stdout).not.toMatch(/::error::/);
    expect(mesh.code).toBe(0);
    expect(JSON.parse(mesh.outputs.mesh!)).toEqual({
      east: { west: { connected: true, ready: true, synced: true } },
      west: { east: { connected: true, ready: true, synced: true } },
    });
    expect(mesh.summary).toMatch(/```mermaid/);
    const day2 = await runStep('day2', { inputs: platformInputs, env });
    expect(day2.stdout).not.toMatch(/::error::/);
    expect(day2.code).toBe(0);
    expect(JSON.parse(day2.outputs.ceph!)).toEqual({
      east: { health: 'HEALTH_OK', phase: 'Ready', mons: 3, osds: 3 },
      west: { health: 'HEALTH_OK', phase: 'Ready', mons: 3, osds: 3 },
    });
    const checks = JSON.parse(day2.outputs.checks!) as { id: string; passed: boolean }[];
    expect(checks.map((check) => check.id)).toEqual(
      expect.arrayContaining(['mesh-reach:east->west', 'starwars-reach:west', 'starwars-failover:east']),
    );
    expect(checks.every((check) => check.passed)).toBe(true);
    for (const run of [mesh, day2]) {
      for (const path of Object.values(kubeconfigs)) {
        const key = /client-key-data: (\S+)/.exec(readFileSync(path, 'utf8'))![1]!;
        expect(run.stdout + run.summary + JSON.stringify(run.outputs)).not.toContain(key);
      }
    }

    const post = await runStep('cleanup', { state: apply.state, env });
    expect(post.code).toBe(0);
    for (const path of JSON.parse(apply.state['temporary-files']!) as string[])
      expect(existsSync(path)).toBe(false);
    expect(existsSync(kubeconfigs.east!)).toBe(true); // post never touches the twin or its state

    const destroy = await runStep('provision', {
      inputs: inputs({ twin: 'pr-77', operation: 'destroy', 'state-dir': stateDir }),
      env,
    });
    expect(destroy.code).toBe(0);
    expect(destroy.summary).toMatch(/Twin pr-77 destroyed/);
    expect(
      Object.values(lab.state.data.vms).filter((vm) => String(vm.config.tags).includes('twin-pr-77')),
    ).toEqual([]);
    expect(existsSync(join(stateDir, 'pr-77'))).toBe(false);
  });
});

describe('action-provision reap on the lab and the GitHub stand-in', { timeout: 120_000 }, () => {
  it('destroys the preview whose PR closed, keeps the open one and production; dry-run destroys nothing', async () => {
    const standin = await GitHubStandin.start();
    try {
      standin.addPullRequest({ number: 5, headRef: 'a', headSha: 'a'.repeat(40) });
      standin.addPullRequest({ number: 6, headRef: 'b', headSha: 'b'.repeat(40) });
      standin.setPullRequestState(5, 'closed');
      const since = new Date().toISOString();
      const { PveClient } = await import('../../src/proxmox/client.js');
      const { parsePveConnection } = await import('../../src/proxmox/connection.js');
      const client = new PveClient(
        parsePveConnection({ endpoint: lab.endpoint, token: lab.token, caFile: lab.caFile }),
      );
      // Production's slot in its own parent pool (the example's environments.production.poolPrefix).
      for (const [pool, twin] of [
        ['aggrik8s-production/slot-0', 'production'],
        ['aggrik8s/slot-3', 'pr-5'],
        ['aggrik8s/slot-4', 'pr-6'],
      ] as const) {
        await client.post('/pools', {
          poolid: pool,
          comment: `aggrik8s-twin slot of ${twin} since ${since}`,
        });
      }
      const { owner, repo } = standin.repoRef;
      const env = { GITHUB_API_URL: standin.url, GITHUB_REPOSITORY: `${owner}/${repo}` };
      const stateDir = mkdtempSync(join(tmpdir(), 'reap-'));
      // State of twins with a slot (pr-5, pr-6), and of twins with none left: a preview and production.
      const { LocalStateStore } = await import('../../src/state/store.js');
      const store = new LocalStateStore(stateDir);
      for (const twin of ['pr-5', 'pr-6', 'pr-41', 'production', 'pr-404']) {
        await store.write({ twin, cluster: 'east', name: 'secrets.yaml' }, 'cluster: {}\n');
      }
      await client.delete('/pools', { poolid: 'aggrik8s-production/slot-0' }); // production's slot is gone too
      const common = { operation: 'reap', 'github-token': WRITE_TOKEN, 'state-dir': stateDir };
      const dry = await runStep('provision', { inputs: inputs({ ...common, 'dry-run': 'true' }), env });
      expect(dry.stdout).toMatch(/would destroy pr-5/);
      expect(dry.stdout).toMatch(
        /would remove the state of pr-404 \(1 item\(s\)\) from the local state folder/,
      );
      expect(dry.code).toBe(0);
      expect(JSON.parse(dry.outputs.reaped!).map((d: { twin: string }) => d.twin)).toEqual(['pr-5']);
      expect(Object.keys(lab.state.access.config.pools)).toContain('aggrik8s/slot-3');
      expect(await store.twins()).toEqual(['pr-404', 'pr-41', 'pr-5', 'pr-6', 'production']);

      const real = await runStep('provision', { inputs: inputs(common), env });
      expect(real.code).toBe(0);
      expect(real.summary).toMatch(/Reaper: twins destroyed/);
      expect(real.summary).toMatch(/State removed \(the twin is gone\)[\s\S]*pr-404[\s\S]*pr-41/);
      expect(real.summary).toMatch(/State kept although no slot or VM is visible[\s\S]*production/);
      // pr-5 was destroyed with its state; the orphans went; pr-6 (open PR) and production stay.
      expect(await store.twins()).toEqual(['pr-6', 'production']);
      const pools = Object.keys(lab.state.access.config.pools);
      expect(pools).not.toContain('aggrik8s/slot-3');
      expect(pools).toEqual(expect.arrayContaining(['aggrik8s/slot-4']));
      expect(standin.violations).toEqual([]);
      await client.delete('/pools', { poolid: 'aggrik8s/slot-4' });
    } finally {
      await standin.close();
    }
  });
});
