import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isConfigurationError } from '../../src/errors.js';
import { execRunner } from '../../src/exec/runner.js';
import { startLab } from '../../src/lab/lab.js';
import type { LabHandle } from '../../src/lab/lab.js';
import type { TwinPlan } from '../../src/plan/plan.js';
import { PveClient } from '../../src/proxmox/client.js';
import { parsePveConnection } from '../../src/proxmox/connection.js';
import { PveApiError } from '../../src/proxmox/errors.js';
import { requireRights } from '../../src/proxmox/preflight.js';
import { listSlotClaims } from '../../src/proxmox/slots.js';
import { VmLifecycle } from '../../src/proxmox/vm-lifecycle.js';
import { resolveTwin } from '../../src/spec/environment.js';
import type { TwinSpec } from '../../src/spec/schema.js';
import { loadSpec } from '../../src/spec/load.js';
import { slotPoolPrefixes } from '../../src/spec/pools.js';
import { LocalStateStore } from '../../src/state/store.js';
import { claimAndPlan } from '../../src/twin/claim.js';
import { destroyTwin } from '../../src/twin/destroy.js';
import { scaledPace } from '../../src/twin/context.js';
import type { TwinContext } from '../../src/twin/context.js';
import { withTwinLock } from '../../src/twin/lock.js';
import { createSettings } from '../lab/slot-fixture.js';

/**
 * Issue 15: production under its own parent pool (the example's environments.production.poolPrefix
 * aggrik8s-production/slot), previews under aggrik8s, in a lab set up as runner-setup/README.md says: the
 * production token twin@pve!gha and the preview tier's twin@pve!preview, which has no ACL on
 * aggrik8s-production. Proxmox itself, not the product, keeps the preview token away from production.
 */
const { spec } = loadSpec('examples/twin.yaml');
let lab: LabHandle;
let production: PveClient;
let preview: PveClient;
let productionPlan: TwinPlan;

const clientWith = (token: string) =>
  new PveClient(parsePveConnection({ endpoint: lab.endpoint, token, caFile: lab.caFile }));

function contextOf(twin: string, client: PveClient, twinSpec: TwinSpec = spec): TwinContext {
  return {
    twin: resolveTwin(twinSpec, twin),
    client,
    store: new LocalStateStore(mkdtempSync(join(tmpdir(), 'production-pool-state-'))),
    runner: execRunner,
    tools: { talosctl: 'talosctl', kubectl: 'kubectl', helm: 'helm' },
    workDir: mkdtempSync(join(tmpdir(), 'production-pool-work-')),
    pace: scaledPace(0.002),
    log: () => {},
  };
}

/** What the preview token gets for a request: PVE's status and message, or 'ok'. */
async function asPreview(request: () => Promise<unknown>): Promise<string> {
  try {
    await request();
    return 'ok';
  } catch (error) {
    if (!(error instanceof PveApiError)) throw error;
    return `${error.status} ${error.serverMessage}`;
  }
}

beforeAll(async () => {
  lab = await startLab({ dir: mkdtempSync(join(tmpdir(), 'production-pool-lab-')), timeScale: 0.002 });
  production = clientWith(lab.token);
  preview = clientWith(lab.previewToken!);
  // Production claims slot 0 in its own parent pool and creates one of its VMs there.
  productionPlan = (await claimAndPlan(contextOf('production', production))).plan;
  const vm = productionPlan.vms[0]!;
  const lifecycle = new VmLifecycle(production, { paceScale: 0.002 });
  await lifecycle.ensureImage(vm.pveNode, 'local', productionPlan.image.fileName, productionPlan.image.url);
  await lifecycle.create(vm.definition!, createSettings(productionPlan, vm.pveNode));
});
afterAll(async () => lab?.close());

describe('production under its own parent pool', () => {
  it("production's slot pool is under aggrik8s-production, its VMIDs the slot's", () => {
    expect(productionPlan).toMatchObject({ slot: 0, pool: 'aggrik8s-production/slot-0' });
    expect(productionPlan.identity.vmids).toEqual({ first: 7000, last: 7099 });
    expect(lab.state.access.config.pools['aggrik8s-production/slot-0']?.vms).toEqual([7000]);
  });

  it("a preview run with the preview token coexists: it does not list production's pool, yet leaves its slot free", async () => {
    const seen = (await preview.get<{ poolid: string }[]>('/pools')).map((pool) => pool.poolid);
    expect(seen).toEqual(['aggrik8s']);
    const { plan } = await claimAndPlan(contextOf('pr-1', preview));
    expect(plan).toMatchObject({ slot: 1, pool: 'aggrik8s/slot-1' });
    expect(plan.identity.vmids).toEqual({ first: 7100, last: 7199 });
    // One slot space across both prefixes, as a token that sees both lists it.
    const claims = await listSlotClaims(production, slotPoolPrefixes(spec));
    expect(claims.map((claim) => `${claim.slot} ${claim.poolId} ${claim.twin}`).sort()).toEqual([
      '0 aggrik8s-production/slot-0 production',
      '1 aggrik8s/slot-1 pr-1',
    ]);
  });

  it("the preview token gets PVE's 403 on production's pools: no lock, no release, no comment, no VM", async () => {
    const lockPool = 'aggrik8s-production/slot-lock-production';
    expect(await asPreview(() => preview.post('/pools', { poolid: lockPool }))).toBe(
      `403 Permission check failed (/pool/${lockPool}, Pool.Allocate)`,
    );
    expect(await asPreview(() => preview.delete('/pools', { poolid: productionPlan.pool }))).toBe(
      '403 Permission check failed (/pool/aggrik8s-production/slot-0, Pool.Allocate)',
    );
    expect(
      await asPreview(() => preview.put('/pools', { poolid: productionPlan.pool, comment: 'mine now' })),
    ).toBe('403 Permission check failed (/pool/aggrik8s-production/slot-0, Pool.Allocate)');
    const create = { vmid: '7050', memory: '512', pool: productionPlan.pool };
    expect(await asPreview(() => preview.post('/nodes/pve1/qemu', create))).toBe(
      '403 Permission check failed',
    );
    const node = productionPlan.vms[0]!.pveNode;
    expect(await asPreview(() => preview.get(`/nodes/${node}/qemu/7000/config`))).toBe(
      '403 Permission check failed (/vms/7000, VM.Audit)',
    );
    expect(await asPreview(() => preview.post(`/nodes/${node}/qemu/7000/status/stop`))).toBe(
      '403 Permission check failed (/vms/7000, VM.PowerMgmt)',
    );
    const vms = await preview.get<{ vmid: number }[]>('/cluster/resources', { type: 'vm' });
    expect(vms.map((vm) => vm.vmid)).not.toContain(7000);
    expect(lab.state.access.config.pools[lockPool]).toBeUndefined();
    expect(lab.state.access.config.pools['aggrik8s-production/slot-0']?.comment).toMatch(
      /slot of production/,
    );
  });

  it("the product run with the preview token for production stops at the preflight, naming production's parent", async () => {
    const error = await requireRights(
      preview,
      spec,
      { operation: 'destroy', environments: ['production'] },
      'twin@pve!preview',
      () => {},
    ).catch((e: unknown) => e);
    expect(isConfigurationError(error)).toBe(true);
    expect((error as Error).message).toContain('missing Pool.Allocate on /pool/aggrik8s-production:');
    // Past the preflight, Proxmox refuses the lock itself.
    await expect(
      withTwinLock(contextOf('production', preview), 'destroy', () => Promise.resolve()),
    ).rejects.toThrow(
      /403: Permission check failed \(\/pool\/aggrik8s-production\/slot-lock-production, Pool.Allocate\)/,
    );
  });
});

describe('a production that holds its slot under the shared prefix, when the spec moves it', () => {
  let moving: LabHandle;
  let client: PveClient;
  const { poolPrefix: _moved, ...shared } = spec.environments.production;
  const before: TwinSpec = { ...spec, environments: { ...spec.environments, production: shared } };

  beforeAll(async () => {
    moving = await startLab({ dir: mkdtempSync(join(tmpdir(), 'production-move-lab-')), timeScale: 0.002 });
    client = new PveClient(
      parsePveConnection({ endpoint: moving.endpoint, token: moving.token, caFile: moving.caFile }),
    );
  });
  afterAll(async () => moving?.close());

  it('apply is refused naming both pools (its VMs are members of the old one); destroy still releases it', async () => {
    expect((await claimAndPlan(contextOf('production', client, before))).plan.pool).toBe('aggrik8s/slot-0');
    await expect(claimAndPlan(contextOf('production', client))).rejects.toThrow(
      /twin production holds slot 0 \(pool aggrik8s\/slot-0\) .*nothing was changed:\n {2}pool aggrik8s\/slot-0 -> aggrik8s-production\/slot-0\n/,
    );
    const pools = () => Object.keys(moving.state.access.config.pools).sort();
    expect(pools()).toEqual(['aggrik8s', 'aggrik8s-production', 'aggrik8s/slot-0']);
    const destroyed = await destroyTwin(contextOf('production', client));
    expect(destroyed.pools).toEqual(['aggrik8s/slot-0']);
    expect(pools()).toEqual(['aggrik8s', 'aggrik8s-production']);
  });
});
