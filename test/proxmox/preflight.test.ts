import { describe, expect, it } from 'vitest';
import { isConfigurationError } from '../../src/errors.js';
import type { PveClient } from '../../src/proxmox/client.js';
import { PveApiError } from '../../src/proxmox/errors.js';
import { checkRights, findingLine, requireRights } from '../../src/proxmox/preflight.js';
import type { RightsFor, RightsSpec } from '../../src/proxmox/preflight-rights.js';
import { requiredRights, slotPoolAclPath, slotPoolPaths } from '../../src/proxmox/preflight-rights.js';
import { loadSpec } from '../../src/spec/load.js';

// The example spec: nodes pve1-3, images on local, disks on local-lvm, vmbr0, VLANs 1500 and 2000,
// 8 slots: a preview's nested in the parent pool aggrik8s (poolPrefix aggrik8s/slot), production's in
// aggrik8s-production (environments.production.poolPrefix aggrik8s-production/slot).
const example: RightsSpec = loadSpec('examples/twin.yaml').spec;
const TOKEN = 'twin@pve!gha';
const APPLY: RightsFor = { operation: 'apply', environments: ['preview'] };
const DESTROY: RightsFor = { operation: 'destroy', environments: ['preview'] };
const PRODUCTION_APPLY: RightsFor = { operation: 'apply', environments: ['production'] };

function withPoolPrefix(poolPrefix: string): RightsSpec {
  return { ...example, proxmox: { ...example.proxmox, slots: { ...example.proxmox.slots, poolPrefix } } };
}

const TWIN_GUESTS = [
  'VM.Allocate VM.Audit VM.PowerMgmt VM.GuestAgent.Audit VM.Config.CPU VM.Config.Memory VM.Config.Disk',
  'VM.Config.Network VM.Config.Options VM.Config.Cloudinit VM.Config.HWType Pool.Allocate Pool.Audit',
]
  .join(' ')
  .split(' ');

/** What runner-setup/README.md grants, as GET /access/permissions?path= answers it (propagated: 1). */
function operatorGrants(): Record<string, Record<string, number>> {
  const flags = (privs: string[]) => Object.fromEntries(privs.map((priv) => [priv, 1]));
  const pool = flags(TWIN_GUESTS);
  return {
    '/pool/aggrik8s': pool,
    ...Object.fromEntries(slotPoolPaths(example, 'aggrik8s/slot').map((path) => [path, pool])),
    '/storage/local': flags(['Datastore.AllocateTemplate', 'Datastore.Audit']),
    '/storage/local-lvm': flags(['Datastore.AllocateSpace', 'Datastore.Audit']),
    ...Object.fromEntries(
      ['pve1', 'pve2', 'pve3'].map((node) => [`/nodes/${node}`, flags(['Sys.Audit', 'Sys.AccessNetwork'])]),
    ),
    '/sdn/zones/localnetwork/vmbr0/1500': flags(['SDN.Use']),
    '/sdn/zones/localnetwork/vmbr0/2000': flags(['SDN.Use']),
  };
}

interface FakePve {
  version?: string;
  granted?: Record<string, Record<string, number>>;
  pools?: string[];
  content?: Record<string, string>;
}

const LAB_CONTENT = { local: 'iso,vztmpl,import,images,snippets', 'local-lvm': 'images,rootdir' };

/** A PveClient that answers the preflight's reads from `pve` and records every request. */
function fakePve(pve: FakePve = {}) {
  const granted = pve.granted ?? operatorGrants();
  const requests: string[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const answer = (path: string, params: Record<string, string>): unknown => {
    if (path === '/version') return { version: pve.version ?? '9.1.3', release: '9.1' };
    if (path === '/access/permissions') return { [params.path!]: granted[params.path!] ?? {} };
    if (path === '/pools' && (pve.pools ?? ['aggrik8s']).includes(params.poolid!)) return [];
    if (path === '/pools') {
      const message = `pool '${params.poolid}' does not exist`;
      throw new PveApiError({ status: 500, reason: message, method: 'GET', path });
    }
    if (path === '/cluster/resources') {
      return Object.entries(pve.content ?? LAB_CONTENT).flatMap(([storage, content]) =>
        ['pve1', 'pve2', 'pve3'].map((node) => ({ type: 'storage', storage, node, content })),
      );
    }
    throw new Error(`unexpected GET ${path}`);
  };
  const client = {
    async get(path: string, params: Record<string, string> = {}) {
      requests.push(`GET ${path}${params.path ? `?path=${params.path}` : ''}`);
      mostInFlight = Math.max(mostInFlight, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1));
      inFlight--;
      return answer(path, params);
    },
  };
  return { client: client as unknown as PveClient, requests, mostInFlight: () => mostInFlight };
}

function without(path: string, privilege: string) {
  const granted = operatorGrants();
  const { [privilege]: _removed, ...rest } = granted[path]!;
  return { ...granted, [path]: rest };
}

describe('the rights a twin needs (pure, from the spec)', () => {
  it('apply on the example spec: the pool rights on the parent pool, storages, nodes, VLANs', () => {
    const rights = requiredRights(example, APPLY).map(
      (r) => `${r.path} ${r.privilege}${r.propagate ? ' +' : ''}`,
    );
    expect(rights).toEqual([
      ...['pve1', 'pve2', 'pve3'].flatMap((node) => [
        `/nodes/${node} Sys.AccessNetwork`,
        `/nodes/${node} Sys.Audit`,
      ]),
      ...[...TWIN_GUESTS].sort().map((priv) => `/pool/aggrik8s ${priv} +`),
      '/sdn/zones/localnetwork/vmbr0/1500 SDN.Use',
      '/sdn/zones/localnetwork/vmbr0/2000 SDN.Use',
      '/storage/local Datastore.AllocateTemplate',
      '/storage/local Datastore.Audit',
      '/storage/local-lvm Datastore.AllocateSpace',
      '/storage/local-lvm Datastore.Audit',
    ]);
  });

  it('destroy needs the pool rights that lock the twin, find, stop and delete VMs and release the slot, and the task lists', () => {
    const rights = requiredRights(example, DESTROY);
    expect(rights.filter((r) => r.path === '/pool/aggrik8s').map((r) => r.privilege)).toEqual([
      'Pool.Allocate',
      'Pool.Audit',
      'VM.Allocate',
      'VM.Audit',
      'VM.PowerMgmt',
    ]);
    expect(rights.find((r) => r.privilege === 'Pool.Allocate')?.neededFor).toMatch(/take the twin's lock/);
    const nodes = rights.filter((r) => r.path !== '/pool/aggrik8s');
    expect(nodes.map((r) => `${r.path} ${r.privilege}`)).toEqual(
      example.proxmox.nodes.map((node) => `/nodes/${node} Sys.Audit`),
    );
    expect(nodes[0]?.neededFor).toMatch(/creates in flight in the twin's VMIDs/);
  });

  it('names what needs each right and the role that carries it', () => {
    const right = requiredRights(example, APPLY).find((r) => r.privilege === 'SDN.Use')!;
    expect(right).toEqual({
      privilege: 'SDN.Use',
      path: '/sdn/zones/localnetwork/vmbr0/1500',
      neededFor: 'attach the VMs of cluster east (net0)',
      role: 'TwinNetwork',
      propagate: false,
    });
  });

  it('nested prefixes need the parent pool; a flat one needs /pool itself', () => {
    expect(slotPoolAclPath('aggrik8s/slot')).toBe('/pool/aggrik8s');
    expect(slotPoolAclPath('lab/aggrik8s/slot')).toBe('/pool/lab/aggrik8s');
    expect(slotPoolAclPath('aggrik8s-slot')).toBe('/pool');
    expect(slotPoolPaths(withPoolPrefix('aggrik8s-slot'), 'aggrik8s-slot')[3]).toBe('/pool/aggrik8s-slot-3');
    expect(
      requiredRights(withPoolPrefix('aggrik8s-slot'), DESTROY)
        .filter((r) => r.path.startsWith('/pool'))
        .every((r) => r.path === '/pool'),
    ).toBe(true);
  });

  it("production's operations need the pool rights on its own parent pool, a preview's on the previews'", () => {
    const poolPaths = (what: RightsFor) => [
      ...new Set(requiredRights(example, what).flatMap((r) => (r.path.startsWith('/pool') ? [r.path] : []))),
    ];
    expect(poolPaths(PRODUCTION_APPLY)).toEqual(['/pool/aggrik8s-production']);
    expect(poolPaths({ operation: 'destroy', environments: ['production'] })).toEqual([
      '/pool/aggrik8s-production',
    ]);
    expect(poolPaths(APPLY)).toEqual(['/pool/aggrik8s']);
    // twin doctor without --env: one token for both tiers needs both.
    expect(poolPaths({ operation: 'apply', environments: ['production', 'preview'] })).toEqual([
      '/pool/aggrik8s',
      '/pool/aggrik8s-production',
    ]);
  });

  it('PVE 8 reads the guest agent with VM.Monitor', () => {
    const privileges = (release: 8 | 9) => requiredRights(example, APPLY, release).map((r) => r.privilege);
    expect(privileges(8)).toContain('VM.Monitor');
    expect(privileges(8)).not.toContain('VM.GuestAgent.Audit');
    expect(privileges(9)).toContain('VM.GuestAgent.Audit');
  });

  it('storages shared by images and disks get one right per privilege, with both uses', () => {
    const shared = {
      ...example,
      proxmox: { ...example.proxmox, storage: { images: 'shared', disks: 'shared' } },
    };
    const audit = requiredRights(shared, APPLY).filter((r) => r.privilege === 'Datastore.Audit');
    expect(audit).toHaveLength(1);
    expect(audit[0]!.neededFor).toBe(
      'list the Talos image, import-from it at create, read its content types; ' +
        'read its free space and content types (GET /cluster/resources)',
    );
  });
});

describe('the preflight against Proxmox', () => {
  it('passes the operator set-up of runner-setup/README.md, saying what it checked', async () => {
    const pve = fakePve();
    const report = await checkRights(pve.client, example, APPLY, TOKEN);
    expect(report.findings).toEqual([]);
    expect(report.passed).toEqual([
      '/nodes/pve1: Sys.AccessNetwork Sys.Audit',
      '/nodes/pve2: Sys.AccessNetwork Sys.Audit',
      '/nodes/pve3: Sys.AccessNetwork Sys.Audit',
      `/pool/aggrik8s: ${[...TWIN_GUESTS].sort().join(' ')}`,
      '/sdn/zones/localnetwork/vmbr0/1500: SDN.Use',
      '/sdn/zones/localnetwork/vmbr0/2000: SDN.Use',
      '/storage/local: Datastore.AllocateTemplate Datastore.Audit',
      '/storage/local-lvm: Datastore.AllocateSpace Datastore.Audit',
      'slot pools /pool/aggrik8s/slot-0 .. /pool/aggrik8s/slot-7 inherit the rights on /pool/aggrik8s',
      'pool aggrik8s exists (the parent of the slot pools aggrik8s/slot-<k>)',
      'storage local holds content import on pve1, pve2, pve3',
      'storage local-lvm holds content images on pve1, pve2, pve3',
    ]);
  });

  it('asks once per distinct path, a few at a time, and only reads', async () => {
    const pve = fakePve();
    await checkRights(pve.client, example, APPLY, TOKEN);
    const asked = pve.requests.filter((r) => r.startsWith('GET /access/permissions'));
    expect(asked).toHaveLength(new Set(asked).size);
    expect(asked).toHaveLength(8 + 8); // 8 rights paths, 8 slot pools
    expect(pve.mostInFlight()).toBeLessThanOrEqual(4);
    expect(pve.requests.every((r) => r.startsWith('GET '))).toBe(true);
  });

  it('a privilege the role lacks: one line with the role change, or the ACL if another role is there', async () => {
    const pve = fakePve({ granted: without('/pool/aggrik8s', 'VM.Config.Options') });
    const report = await checkRights(pve.client, example, APPLY, TOKEN);
    expect(report.findings.map(findingLine)).toEqual([
      'missing VM.Config.Options on /pool/aggrik8s: needed to create VMs (name, ostype, agent, onboot, ' +
        'description), set their tags; fix: pveum role modify TwinGuests --append 1 --privs VM.Config.Options ' +
        "(if TwinGuests is the role granted there), else pveum acl modify /pool/aggrik8s --users twin@pve --tokens 'twin@pve!gha' --roles TwinGuests",
    ]);
  });

  it('no ACL on a path: each privilege with the ACL for the user and the token', async () => {
    const pve = fakePve({ granted: { ...operatorGrants(), '/storage/local': {} } });
    const report = await checkRights(pve.client, example, APPLY, TOKEN);
    const acl = "pveum acl modify /storage/local --users twin@pve --tokens 'twin@pve!gha' --roles TwinImages";
    expect(report.findings.map(findingLine)).toEqual([
      `missing Datastore.AllocateTemplate on /storage/local: needed to download the Talos image (download-url, content import); fix: ${acl}`,
      `missing Datastore.Audit on /storage/local: needed to list the Talos image, import-from it at create, read its content types; fix: ${acl}`,
    ]);
  });

  it('pool rights granted without propagate do not reach the slot pools', async () => {
    const granted = operatorGrants();
    const pve = fakePve({
      granted: { ...granted, '/pool/aggrik8s': { ...granted['/pool/aggrik8s'], 'VM.Allocate': 0 } },
    });
    const [finding] = (await checkRights(pve.client, example, DESTROY, TOKEN)).findings;
    expect(finding).toEqual({
      missing: 'VM.Allocate (with propagate)',
      path: '/pool/aggrik8s',
      neededFor: 'delete the VMs',
      fix: "pveum acl modify /pool/aggrik8s --users twin@pve --tokens 'twin@pve!gha' --roles TwinGuests --propagate 1",
    });
  });

  it('a slot pool whose own ACL replaces the parent one is named with its slot', async () => {
    const pve = fakePve({ granted: without('/pool/aggrik8s/slot-3', 'VM.PowerMgmt') });
    const report = await checkRights(pve.client, example, DESTROY, TOKEN);
    expect(report.findings.map(findingLine)).toEqual([
      'missing VM.PowerMgmt on /pool/aggrik8s/slot-3: needed to shut down and stop the VMs in slot 3; fix: an ACL on ' +
        '/pool/aggrik8s/slot-3 replaces the one on /pool/aggrik8s: find it with pveum acl list and remove it ' +
        "(pveum acl delete /pool/aggrik8s/slot-3 --users twin@pve --tokens 'twin@pve!gha' --roles <its role>)",
    ]);
  });

  it('a missing parent pool, and storages without the content types, come with their commands', async () => {
    const pve = fakePve({
      pools: [],
      content: { local: 'iso,vztmpl,images,snippets', 'local-lvm': 'rootdir' },
    });
    const report = await checkRights(pve.client, example, APPLY, TOKEN);
    expect(report.findings.map(findingLine)).toEqual([
      'missing pool aggrik8s on /pool/aggrik8s: needed to hold the slot pools aggrik8s/slot-<k> and the twin locks ' +
        'aggrik8s/slot-lock-<twin> (PVE creates a nested ' +
        'pool only inside an existing one); fix: pveum pool add aggrik8s --comment "aggrik8s-twin slots (parent pool)"',
      'missing content import on /storage/local: needed to download the Talos image into it and import-from it; ' +
        'fix: pvesm set local --content iso,vztmpl,images,snippets,import',
      'missing content images on /storage/local-lvm: needed to hold the VM disks; fix: pvesm set local-lvm --content rootdir,images',
    ]);
  });

  it('a flat prefix checks /pool and has no parent pool to look for', async () => {
    const flat = withPoolPrefix('aggrik8s-slot');
    const granted = operatorGrants();
    const slots = Object.fromEntries(
      slotPoolPaths(flat, 'aggrik8s-slot').map((path) => [path, granted['/pool/aggrik8s']!]),
    );
    const pve = fakePve({ granted: { ...granted, '/pool': granted['/pool/aggrik8s']!, ...slots } });
    const report = await checkRights(pve.client, flat, APPLY, TOKEN);
    expect(report.findings).toEqual([]);
    expect(pve.requests).not.toContain('GET /pools');
    expect(report.passed).toContain(
      'slot pools /pool/aggrik8s-slot-0 .. /pool/aggrik8s-slot-7 inherit the rights on /pool',
    );
  });

  it('destroy reads no storage, but needs the parent pool, where it takes the twin’s lock', async () => {
    const pve = fakePve({ pools: [], granted: { ...operatorGrants(), '/storage/local': {} } });
    expect((await checkRights(pve.client, example, DESTROY, TOKEN)).findings.map(findingLine)).toEqual([
      expect.stringMatching(
        /^missing pool aggrik8s on \/pool\/aggrik8s: needed to hold the slot pools .*lock/,
      ),
    ]);
    expect(pve.requests.filter((r) => !r.startsWith('GET /access/permissions'))).toEqual([
      'GET /version',
      'GET /pools',
    ]);
  });

  it("production's apply is checked on production's parent pool: a preview tier token lacks it, named there", async () => {
    const pve = fakePve({ pools: ['aggrik8s', 'aggrik8s-production'] });
    const report = await checkRights(pve.client, example, PRODUCTION_APPLY, 'twin@pve!preview');
    const missing = report.findings.filter((f) => f.path === '/pool/aggrik8s-production');
    expect(missing.map((f) => f.missing).sort()).toEqual([...TWIN_GUESTS].sort());
    expect(report.findings.every((f) => !f.path.startsWith('/pool/aggrik8s/'))).toBe(true);
    expect(findingLine(missing.find((f) => f.missing === 'Pool.Allocate')!)).toBe(
      'missing Pool.Allocate on /pool/aggrik8s-production: needed to claim a slot (create its pool, update its ' +
        "comment); take the twin's lock (pool <prefix>-lock-<twin>); fix: pveum acl modify /pool/aggrik8s-production " +
        "--users twin@pve --tokens 'twin@pve!preview' --roles TwinGuests",
    );
    expect(report.passed).toContain(
      'pool aggrik8s-production exists (the parent of the slot pools aggrik8s-production/slot-<k>)',
    );
  });

  it("a missing production parent pool is named with production's prefix", async () => {
    const granted = operatorGrants();
    const production = Object.fromEntries(
      ['/pool/aggrik8s-production', ...slotPoolPaths(example, 'aggrik8s-production/slot')].map((path) => [
        path,
        granted['/pool/aggrik8s']!,
      ]),
    );
    const pve = fakePve({ granted: { ...granted, ...production }, pools: ['aggrik8s'] });
    const report = await checkRights(pve.client, example, PRODUCTION_APPLY, TOKEN);
    expect(report.findings.map(findingLine)).toEqual([
      'missing pool aggrik8s-production on /pool/aggrik8s-production: needed to hold the slot pools ' +
        'aggrik8s-production/slot-<k> and the twin locks aggrik8s-production/slot-lock-<twin> (PVE creates a nested ' +
        'pool only inside an existing one); fix: pveum pool add aggrik8s-production --comment "aggrik8s-twin slots (parent pool)"',
    ]);
  });

  it('the gate logs what passed and refuses with one line per finding', async () => {
    const lines: string[] = [];
    const pve = fakePve({ granted: without('/nodes/pve2', 'Sys.AccessNetwork') });
    const error = await requireRights(pve.client, example, APPLY, TOKEN, (line) => lines.push(line)).catch(
      (e: unknown) => e,
    );
    expect(isConfigurationError(error)).toBe(true);
    expect((error as Error).message.split('\n')).toEqual([
      'the Proxmox token twin@pve!gha lacks what apply needs, so nothing was changed; fix these (then `twin doctor` checks again):',
      'missing Sys.AccessNetwork on /nodes/pve2: needed to download the Talos image on this node (download-url); fix: ' +
        'pveum role modify TwinNodes --append 1 --privs Sys.AccessNetwork (if TwinNodes is the role granted there), ' +
        "else pveum acl modify /nodes/pve2 --users twin@pve --tokens 'twin@pve!gha' --roles TwinNodes",
    ]);
    expect(lines).toContain('ok: /nodes/pve1: Sys.AccessNetwork Sys.Audit');
    expect(lines).not.toContain('ok: /nodes/pve2: Sys.AccessNetwork Sys.Audit');
  });

  it('a Proxmox that cannot answer fails the gate as the preflight stage, with its cause', async () => {
    const pve = fakePve();
    const failing = {
      get: async (path: string, params: Record<string, string> = {}) => {
        if (path === '/pools') {
          throw new PveApiError({ status: 500, reason: 'Internal Server Error', method: 'GET', path });
        }
        return pve.client.get(path, params);
      },
    } as unknown as PveClient;
    const error = await requireRights(failing, example, APPLY, TOKEN, () => {}).catch((e: unknown) => e);
    expect(isConfigurationError(error)).toBe(false);
    expect((error as Error).message).toBe(
      "stage preflight, reading the token's rights: PVE GET /pools failed with 500: Internal Server Error",
    );
    expect((error as Error).cause).toBeInstanceOf(PveApiError);
  });
});
