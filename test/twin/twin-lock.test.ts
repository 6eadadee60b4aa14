import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab } from '../../src/lab/lab.js';
import type { LabHandle } from '../../src/lab/lab.js';
import { PveClient } from '../../src/proxmox/client.js';
import { parsePveConnection } from '../../src/proxmox/connection.js';
import { listSlotClaims, slotComment } from '../../src/proxmox/slots.js';
import { lockComment, lockPoolId } from '../../src/proxmox/twin-lock.js';
import type { LockRecord } from '../../src/proxmox/twin-lock.js';
import { runTask } from '../../src/proxmox/tasks.js';
import { VmLifecycle } from '../../src/proxmox/vm-lifecycle.js';
import { observeProxmox, planTwin } from '../../src/plan/plan.js';
import { resolveTwin } from '../../src/spec/environment.js';
import { loadSpec } from '../../src/spec/load.js';
import { LocalStateStore } from '../../src/state/store.js';
import { execRunner } from '../../src/exec/runner.js';
import { applyTwin } from '../../src/twin/apply.js';
import { scaledPace } from '../../src/twin/context.js';
import type { TwinContext } from '../../src/twin/context.js';
import { destroyTwin } from '../../src/twin/destroy.js';
import { knownTwins, removeOrphanedState } from '../../src/twin/known-twins.js';
import { lockTiming, withTwinLock } from '../../src/twin/lock.js';
import { reapEach } from '../../src/twin/reaper.js';
import type { ReapDecision } from '../../src/twin/reaper.js';
import { operatorClient } from '../lab/operator-client.js';
import { preparedSlot } from '../lab/slot-fixture.js';

/**
 * The per-twin lock apply, destroy and the reaper take: a pool `<prefix>-lock-<twin>` Proxmox creates
 * atomically. Driven with the operator's least-privilege token, as the product runs.
 */
const { spec } = loadSpec('examples/twin.yaml');
const PREFIX = spec.proxmox.slots.poolPrefix;
let lab: LabHandle;
let client: PveClient;
let root: PveClient;

beforeAll(async () => {
  lab = await startLab({ dir: mkdtempSync(join(tmpdir(), 'twin-lock-lab-')), timeScale: 0.002 });
  client = operatorClient(lab);
  root = new PveClient(
    parsePveConnection({ endpoint: lab.endpoint, token: lab.rootToken, caFile: lab.caFile }),
  );
});
afterAll(async () => lab?.close());

function contextOf(twin: string, log: string[] = []): TwinContext {
  return {
    twin: resolveTwin(spec, twin),
    client,
    store: new LocalStateStore(mkdtempSync(join(tmpdir(), 'twin-lock-state-'))),
    runner: execRunner,
    tools: { talosctl: 'talosctl', kubectl: 'kubectl', helm: 'helm' },
    workDir: mkdtempSync(join(tmpdir(), 'twin-lock-work-')),
    pace: scaledPace(0.002),
    log: (line) => void log.push(line),
  };
}

const lockPool = (twin: string) => lab.state.access.config.pools[lockPoolId(PREFIX, twin)];

/** A lock as another holder left it: `renewed` that many ms ago. */
async function heldBy(twin: string, holder: Partial<LockRecord>, renewedAgoMs = 0): Promise<void> {
  const renewed = new Date(Date.now() - renewedAgoMs).toISOString();
  const record: LockRecord = {
    twin,
    operation: 'apply',
    host: 'runner-7',
    pid: 4242,
    run: '991/1',
    since: renewed,
    renewed,
    id: 'other',
    ...holder,
  };
  await client.post('/pools', { poolid: lockPoolId(PREFIX, twin), comment: lockComment(record) });
}

/** A pid that no process has any more: one that ran and exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' }).pid!;
}

/** A twin with one VM of its own (slot pool, recorded range, name, tags), as the product makes it. */
async function twinWithVm(twin: string) {
  const { plan, vm, settings } = await preparedSlot(client, spec, twin);
  await client.put('/pools', {
    poolid: plan.pool,
    comment: slotComment(twin, new Date(0), [], plan.identity),
  });
  const lifecycle = new VmLifecycle(client, { paceScale: 0.002 });
  await lifecycle.create(vm.definition!, settings);
  await lifecycle.ensureTags(vm.pveNode, vm.definition!);
  return { plan, vm };
}

function decision(twin: string, slot: number, poolId: string): ReapDecision {
  return { twin, slot, poolId, reason: 'ttl-expired', detail: 'past the TTL' };
}

describe('the per-twin lock', () => {
  it('is a pool beside the slots that status and the slot claims ignore, held while the work runs, gone after it', async () => {
    const ctx = contextOf('pr-60');
    const seen = await withTwinLock(ctx, 'destroy', async () => {
      const claims = await listSlotClaims(client, [PREFIX]);
      const twins = await knownTwins(client, spec, ctx.store);
      return { comment: lockPool('pr-60')?.comment, claims, twins };
    });
    expect(lockPoolId(PREFIX, 'pr-60')).toBe('aggrik8s/slot-lock-pr-60');
    expect(seen.comment).toMatch(
      new RegExp(
        `^aggrik8s-twin lock of pr-60 by destroy run \\S+ host ${hostname()} pid ${process.pid} since `,
      ),
    );
    expect(seen.claims).toEqual([]);
    expect(seen.twins).toEqual([]);
    expect(lockPool('pr-60')).toBeUndefined();

    await expect(
      withTwinLock(ctx, 'apply', () => Promise.reject(new Error('the work failed'))),
    ).rejects.toThrow('the work failed');
    expect(lockPool('pr-60')).toBeUndefined();
  });

  it('a second holder is refused at once, naming who holds it and since when; apply changes nothing', async () => {
    await heldBy('pr-61', {});
    const ctx = contextOf('pr-61');
    const refusal =
      /twin pr-61 is locked, nothing was changed: apply \(run 991\/1, host runner-7, pid 4242\) since \S+, last renewed \S+\. .*pvesh delete \/pools --poolid aggrik8s\/slot-lock-pr-61/;
    await expect(applyTwin(ctx)).rejects.toThrow(refusal);
    await expect(destroyTwin(ctx)).rejects.toThrow(refusal);
    expect((await listSlotClaims(client, [PREFIX])).filter((c) => c.twin === 'pr-61')).toEqual([]);
    expect(lockPool('pr-61')?.comment).toMatch(/pid 4242/); // the holder's lock stays
    await client.delete('/pools', { poolid: lockPoolId(PREFIX, 'pr-61') });
  });

  it('a stale lock is broken, saying why: its holder on this host is gone, or it went silent', async () => {
    const pid = deadPid();
    await heldBy('pr-62', { host: hostname(), pid });
    const log: string[] = [];
    expect((await destroyTwin(contextOf('pr-62', log))).existed).toBe(false);
    expect(log.join('\n')).toMatch(
      new RegExp(
        `breaking the lock of twin pr-62 \\(apply .*pid ${pid}\\) .*: its holder, pid ${pid} on this host, is gone`,
      ),
    );
    expect(lockPool('pr-62')).toBeUndefined();

    const pace = scaledPace(0.002);
    await heldBy('pr-62', { host: 'runner-7', pid: process.pid }, pace.bootTimeoutMs + 60_000);
    log.length = 0;
    await destroyTwin(contextOf('pr-62', log));
    expect(log.join('\n')).toMatch(
      /breaking the lock of twin pr-62 .*: it was not renewed for \d+ s \(more than 5 s\)/,
    );
    expect(lockPool('pr-62')).toBeUndefined();
  });

  it('an apply that fails leaves no lock behind', async () => {
    const ctx = contextOf('pr-67');
    const plan = planTwin(ctx.twin, await observeProxmox(client, spec));
    // Someone else's VM (that the token cannot see) at a VMID the twin creates: that create fails.
    await runTask(root, 'POST', '/nodes/pve1/qemu', { vmid: String(plan.vms[0]!.vmid), name: 'in-the-way' });
    const outcome = await applyTwin(ctx);
    expect(outcome.ok).toBe(false);
    expect(outcome.failure).toMatch(new RegExp(`${plan.vms[0]!.vmid}`));
    expect(lockPool('pr-67')).toBeUndefined();
    await destroyTwin(ctx);
    expect(lockPool('pr-67')).toBeUndefined();
    await runTask(root, 'DELETE', `/nodes/pve1/qemu/${plan.vms[0]!.vmid}`);
  });

  it('is renewed while held, so a long operation is never taken for a stale one', async () => {
    const ctx = contextOf('pr-63');
    const renewed = await withTwinLock(ctx, 'apply', async () => {
      const first = lockPool('pr-63')!.comment!;
      await new Promise((resolve) => setTimeout(resolve, lockTiming(ctx.pace).renewEveryMs + 400));
      return [first, lockPool('pr-63')!.comment!];
    });
    const times = renewed.map((comment) => / renewed (\S+) /.exec(comment)![1]!);
    expect(Date.parse(times[1]!)).toBeGreaterThan(Date.parse(times[0]!));
    expect(lockPool('pr-63')).toBeUndefined();
  });
});

describe('the reaper, twin by twin', () => {
  it('skips a twin an apply holds, reaps the others although one fails, and lists that failure', async () => {
    const busy = await twinWithVm('pr-64');
    const stuck = await twinWithVm('pr-65');
    const gone = await twinWithVm('pr-66');
    // pr-64 is being applied right now (renewed a moment ago, by a run on another runner).
    await heldBy('pr-64', {});
    // pr-65's VM is its own (pool, range, name, tags) but protected: PVE refuses to remove it.
    await root.put(`/nodes/${stuck.vm.pveNode}/qemu/${stuck.vm.vmid}/config`, { protection: 1 });
    const warnings: string[] = [];
    const errors: string[] = [];
    const run = await reapEach(
      [
        decision('pr-64', busy.plan.slot, busy.plan.pool),
        decision('pr-65', stuck.plan.slot, stuck.plan.pool),
        decision('pr-66', gone.plan.slot, gone.plan.pool),
      ],
      (d) => destroyTwin(contextOf(d.twin)),
      { warning: (line) => void warnings.push(line), error: (line) => void errors.push(line) },
    );
    expect(run.reaped).toEqual(['pr-66']);
    expect(run.skipped).toEqual([
      expect.stringMatching(/^pr-64: skipped, twin pr-64 is locked, nothing was changed: apply \(run 991\/1/),
    ]);
    expect(run.failures).toEqual([
      expect.stringMatching(
        new RegExp(
          `^pr-65: destroy of twin pr-65 left VMs behind[\\s\\S]*can't remove VM ${stuck.vm.vmid} - protection mode enabled`,
        ),
      ),
    ]);
    expect(warnings).toHaveLength(1);
    expect(errors).toHaveLength(1);
    expect(run.leftAlone).toEqual([]);
    // pr-64 untouched, its holder's lock kept; pr-65 kept its slot and lost no lock; pr-66 is gone.
    expect(lab.state.data.vms[String(busy.vm.vmid)]).toBeDefined();
    expect(lab.state.access.config.pools[busy.plan.pool]).toBeDefined();
    expect(lockPool('pr-64')?.comment).toMatch(/pid 4242/);
    expect(lab.state.data.vms[String(stuck.vm.vmid)]).toBeDefined();
    expect(lockPool('pr-65')).toBeUndefined();
    expect(lab.state.data.vms[String(gone.vm.vmid)]).toBeUndefined();
    expect(lab.state.access.config.pools[gone.plan.pool]).toBeUndefined();
    expect(lockPool('pr-66')).toBeUndefined();
  });
});

describe("the reaper's sweep of state whose twin is gone", () => {
  const secrets = (twin: string) => ({ twin, cluster: 'east', name: 'secrets.yaml' });
  const sweep = (store: LocalStateStore, log: string[] = []) =>
    removeOrphanedState(client, spec, store, {
      dryRun: false,
      pace: scaledPace(0.002),
      log: (line) => void log.push(line),
    });

  it('keeps the state an apply just wrote before its slot claim, naming the holder; removes it once the lock is free', async () => {
    const ctx = contextOf('pr-68');
    const store = ctx.store as LocalStateStore;
    const log: string[] = [];
    const during = await withTwinLock(ctx, 'apply', async () => {
      await store.write(secrets('pr-68'), 'cluster: {}\n'); // the apply's first state, no slot claimed yet
      return sweep(store, log);
    });
    const holder = `apply \\((run \\S+, )?host ${hostname()}, pid ${process.pid}\\)`;
    expect(during).toEqual({
      removed: [],
      kept: [],
      skipped: [
        expect.stringMatching(new RegExp(`^pr-68: twin pr-68 is locked, nothing was changed: ${holder}`)),
      ],
    });
    expect(log.join('\n')).toMatch(/state of pr-68 kept this time: twin pr-68 is locked/);
    expect(await store.list('pr-68')).toEqual([secrets('pr-68')]);

    // The apply has ended without a slot (it failed early): its state is an orphan now, and goes.
    expect(await sweep(store)).toEqual({ removed: ['pr-68'], kept: [], skipped: [] });
    expect(await store.twins()).toEqual([]);
    expect(lockPool('pr-68')).toBeUndefined(); // the sweep released its own lock
  });

  it('asks Proxmox again under the lock: a twin that claimed its slot after the listing keeps its state', async () => {
    const slotPool = `${PREFIX}-7`;
    /** A store whose listing is followed at once by the twin's slot claim (an apply on another runner). */
    class ClaimedMeanwhile extends LocalStateStore {
      private claimed = false;
      override async list(twin: string) {
        const keys = await super.list(twin);
        if (!this.claimed) {
          this.claimed = true;
          await client.post('/pools', { poolid: slotPool, comment: slotComment(twin, new Date()) });
        }
        return keys;
      }
    }
    const store = new ClaimedMeanwhile(mkdtempSync(join(tmpdir(), 'twin-lock-state-')));
    await store.write(secrets('pr-69'), 'cluster: {}\n');
    expect(await sweep(store)).toEqual({ removed: [], kept: [], skipped: [] });
    expect(await store.list('pr-69')).toEqual([secrets('pr-69')]);
    expect(lockPool('pr-69')).toBeUndefined();
    await client.delete('/pools', { poolid: slotPool });
  });
});
