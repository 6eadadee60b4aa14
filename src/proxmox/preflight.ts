import { ConfigurationError, errorMessage } from '../errors.js';
import { Limiter } from '../util/limit.js';
import type { PveClient } from './client.js';
import { PveApiError } from './errors.js';
import type {
  PreflightOperation,
  PveRelease,
  RightRequirement,
  RightsFor,
  RightsSpec,
} from './preflight-rights.js';
import {
  byPathThenPrivilege,
  poolPrefixesFor,
  requiredRights,
  slotPoolAclPath,
  slotPoolPaths,
} from './preflight-rights.js';
import { parentPoolOf } from '../spec/pools.js';
import type { EnvironmentName } from '../spec/schema.js';

/**
 * The preflight: before a twin's operation changes anything, ask Proxmox what the token may do where the
 * operation acts (GET /access/permissions, P.8) and how the storages and the parent pool are set up, and
 * name everything missing with the command that fixes it. It only reads.
 */

export interface PreflightFinding {
  /** What is missing: a privilege, `content <type>`, `pool <id>` or `storage <id> on <nodes>`. */
  missing: string;
  path: string;
  /** What the twin does with it, in words. */
  neededFor: string;
  /** The commands that fix it (pveum, pvesm), never anything secret. */
  fix: string;
}

export interface PreflightReport {
  /** `USER@REALM!TOKENID`, the token the rights were asked for. */
  tokenId: string;
  operation: PreflightOperation;
  /** The environments whose twins the operation was checked for, each in its own parent pool. */
  environments: EnvironmentName[];
  /** Each check that passed, in words. */
  passed: string[];
  /** Sorted by path, then by what is missing. */
  findings: PreflightFinding[];
}

interface CheckResult {
  passed: string[];
  findings: PreflightFinding[];
}

/** Path -> privilege -> propagate flag (0 or 1), as GET /access/permissions?path= answers. */
type Granted = Map<string, Record<string, number>>;

/** Few at once: a spec with many slots asks for dozens of paths, and the API serves other runners too. */
const PERMISSION_QUERIES_AT_ONCE = 4;

export async function checkRights(
  client: PveClient,
  spec: RightsSpec,
  what: RightsFor,
  tokenId: string,
): Promise<PreflightReport> {
  const required = requiredRights(spec, what, await pveRelease(client));
  const prefixes = poolPrefixesFor(spec, what.environments);
  const slotPaths = prefixes.flatMap((prefix) => slotPoolPaths(spec, prefix));
  const granted = await readPermissions(client, [...new Set([...required.map((r) => r.path), ...slotPaths])]);
  const results = [
    checkPaths(required, granted, tokenId),
    ...prefixes.map((prefix) => checkSlotPools(required, spec, prefix, granted, tokenId)),
    // Both create pools in the parent: apply its slot pool, both the twin's lock pool.
    ...(await Promise.all(prefixes.map((prefix) => checkParentPool(client, prefix)))),
    ...(what.operation === 'apply' ? [await checkStorages(client, spec, granted)] : []),
  ];
  return {
    tokenId,
    operation: what.operation,
    environments: [...what.environments],
    passed: results.flatMap((result) => result.passed),
    findings: results.flatMap((result) => result.findings).sort(byPathThenMissing),
  };
}

/**
 * The gate in front of an operation: logs what passed and throws, naming every finding on its own line,
 * when something is missing, so nothing is changed.
 */
export async function requireRights(
  client: PveClient,
  spec: RightsSpec,
  what: RightsFor,
  tokenId: string,
  log: (line: string) => void,
): Promise<void> {
  const { operation } = what;
  const report = await checkRights(client, spec, what, tokenId).catch((error: unknown) => {
    // Named like a failed stage of apply, so a PVE that could not answer reads as such, not as a bug.
    throw new Error(`stage preflight, reading the token's rights: ${errorMessage(error)}`, { cause: error });
  });
  for (const line of report.passed) log(`ok: ${line}`);
  if (report.findings.length === 0) return;
  throw new ConfigurationError(
    `the Proxmox token ${tokenId} lacks what ${operation} needs, so nothing was changed; ` +
      `fix these (then \`twin doctor\` checks again):\n${report.findings.map(findingLine).join('\n')}`,
  );
}

/** One line per finding: what is missing, where, what needs it, and the fix. */
export function findingLine(finding: PreflightFinding): string {
  return `missing ${finding.missing} on ${finding.path}: needed to ${finding.neededFor}; fix: ${finding.fix}`;
}

/** The report as lines: `ok:` per passed check, one line per finding, then the verdict. */
export function reportLines(report: PreflightReport): string[] {
  return [
    ...report.passed.map((line) => `ok: ${line}`),
    ...report.findings.map(findingLine),
    verdict(report),
  ];
}

export function verdict(report: PreflightReport): string {
  return report.findings.length === 0
    ? `${report.tokenId} has every right ${report.operation} needs`
    : `${report.tokenId} lacks ${report.findings.length} thing(s) ${report.operation} needs`;
}

async function pveRelease(client: PveClient): Promise<PveRelease> {
  const { version } = await client.get<{ version: string }>('/version');
  return version.startsWith('8.') ? 8 : 9;
}

async function readPermissions(client: PveClient, paths: string[]): Promise<Granted> {
  const limiter = new Limiter(PERMISSION_QUERIES_AT_ONCE);
  const answers = await Promise.all(
    paths.map((path) =>
      limiter.run(() => client.get<Record<string, Record<string, number>>>('/access/permissions', { path })),
    ),
  );
  return new Map(paths.map((path, i) => [path, answers[i]?.[path] ?? {}]));
}

/** A right holds when the privilege is there and, where it must reach below, was granted with propagate. */
function holds(requirement: RightRequirement, granted: Granted, path = requirement.path): boolean {
  const flag = granted.get(path)?.[requirement.privilege];
  if (flag === undefined) return false;
  // Only the ACL above the slot pools must pass the right down; a slot pool's own answer just needs it.
  return !requirement.propagate || path !== requirement.path || Number(flag) === 1;
}

function checkPaths(required: RightRequirement[], granted: Granted, tokenId: string): CheckResult {
  const result: CheckResult = { passed: [], findings: [] };
  for (const path of [...new Set(required.map((r) => r.path))]) {
    const here = required.filter((r) => r.path === path);
    const missing = here.filter((r) => !holds(r, granted));
    if (missing.length === 0) result.passed.push(`${path}: ${here.map((r) => r.privilege).join(' ')}`);
    result.findings.push(...missing.map((r) => privilegeFinding(r, granted.get(path) ?? {}, tokenId)));
  }
  return result;
}

function privilegeFinding(
  requirement: RightRequirement,
  here: Record<string, number>,
  tokenId: string,
): PreflightFinding {
  const { privilege, path, role, neededFor } = requirement;
  const acl = aclCommand(path, role, tokenId);
  if (here[privilege] !== undefined) {
    // Granted, but only on this path: the slot pools and their VMs below it do not inherit it.
    return { missing: `${privilege} (with propagate)`, path, neededFor, fix: `${acl} --propagate 1` };
  }
  const fix =
    Object.keys(here).length > 0
      ? `pveum role modify ${role} --append 1 --privs ${privilege} (if ${role} is the role granted there), else ${acl}`
      : acl;
  return { missing: privilege, path, neededFor, fix };
}

/**
 * A privilege-separated token gets only what both it and its user have (P.4), so the ACL names both;
 * the role is the one runner-setup/README.md creates.
 */
function aclCommand(path: string, role: string, tokenId: string): string {
  return `pveum acl modify ${path} ${userAndToken(tokenId)} --roles ${role}`;
}

function userAndToken(tokenId: string): string {
  return `--users ${tokenId.slice(0, tokenId.indexOf('!'))} --tokens '${tokenId}'`;
}

/**
 * Each slot pool of `poolPrefix` must get the pool rights from the ACL above it. Where that ACL holds, a
 * slot that lacks one has an ACL of its own replacing it (deeper paths replace, P.3); where it does not,
 * checkPaths already names the right once for all slots.
 */
function checkSlotPools(
  required: RightRequirement[],
  spec: RightsSpec,
  poolPrefix: string,
  granted: Granted,
  tokenId: string,
): CheckResult {
  const slotPaths = slotPoolPaths(spec, poolPrefix);
  const parentPath = slotPoolAclPath(poolPrefix);
  const inherited = required.filter((r) => r.path === parentPath && holds(r, granted));
  const findings = slotPaths.flatMap((slotPath, slot) =>
    inherited
      .filter((r) => !holds(r, granted, slotPath))
      .map((r) => ({
        missing: r.privilege,
        path: slotPath,
        neededFor: `${r.neededFor} in slot ${slot}`,
        fix:
          `an ACL on ${slotPath} replaces the one on ${parentPath}: find it with pveum acl list and remove it ` +
          `(pveum acl delete ${slotPath} ${userAndToken(tokenId)} --roles <its role>)`,
      })),
  );
  const [first, last] = [slotPaths[0], slotPaths[slotPaths.length - 1]];
  const passed =
    findings.length === 0 && inherited.length > 0
      ? [`slot pools ${first} .. ${last} inherit the rights on ${parentPath}`]
      : [];
  return { passed, findings };
}

/** PVE creates a nested pool only inside an existing parent (P.6.4); a flat prefix has none to check. */
async function checkParentPool(client: PveClient, poolPrefix: string): Promise<CheckResult> {
  const parent = parentPoolOf(poolPrefix);
  if (parent === undefined) return { passed: [], findings: [] };
  try {
    // Answers with or without Pool.Audit (P.7), so it tells "missing" apart from "not allowed to see".
    await client.get('/pools', { poolid: parent });
    return {
      passed: [`pool ${parent} exists (the parent of the slot pools ${poolPrefix}-<k>)`],
      findings: [],
    };
  } catch (error) {
    if (!(error instanceof PveApiError && /does not exist/.test(error.serverMessage))) throw error;
    const finding = {
      missing: `pool ${parent}`,
      path: `/pool/${parent}`,
      neededFor: `hold the slot pools ${poolPrefix}-<k> and the twin locks ${poolPrefix}-lock-<twin> (PVE creates a nested pool only inside an existing one)`,
      fix: `pveum pool add ${parent} --comment "aggrik8s-twin slots (parent pool)"`,
    };
    return { passed: [], findings: [finding] };
  }
}

/** A storage as GET /cluster/resources?type=storage lists it: one entry per node that has it. */
interface StorageResource {
  type: string;
  storage?: string;
  node?: string;
  content?: string;
}

/** The image storage must take `import` volumes (download-url, import-from), the disk storage VM disks. */
async function checkStorages(client: PveClient, spec: RightsSpec, granted: Granted): Promise<CheckResult> {
  const resources = await client.get<StorageResource[]>('/cluster/resources', { type: 'storage' });
  const { images, disks } = spec.proxmox.storage;
  const results = [
    checkStorage(resources, spec.proxmox.nodes, granted, {
      storage: images,
      content: 'import',
      neededFor: 'download the Talos image into it and import-from it',
    }),
    checkStorage(resources, spec.proxmox.nodes, granted, {
      storage: disks,
      content: 'images',
      neededFor: 'hold the VM disks',
    }),
  ];
  return {
    passed: results.flatMap((result) => result.passed),
    findings: results.flatMap((result) => result.findings),
  };
}

function checkStorage(
  resources: StorageResource[],
  nodes: string[],
  granted: Granted,
  want: { storage: string; content: string; neededFor: string },
): CheckResult {
  const path = `/storage/${want.storage}`;
  // The listing shows a storage only with Datastore.Audit on it (P.7); that right's own finding says so.
  if (granted.get(path)?.['Datastore.Audit'] === undefined) return { passed: [], findings: [] };
  const entries = resources.filter((r) => r.type === 'storage' && r.storage === want.storage);
  const absent = nodes.filter((node) => !entries.some((entry) => entry.node === node));
  const findings: PreflightFinding[] = [];
  if (absent.length > 0) {
    findings.push({
      missing: `storage ${want.storage} on ${absent.join(', ')}`,
      path,
      neededFor: want.neededFor,
      fix: `enable ${want.storage} on ${absent.join(', ')} (pvesm set ${want.storage} --nodes <every node that has it>) or drop them from proxmox.nodes`,
    });
  }
  const types = (entries[0]?.content ?? '').split(',').filter(Boolean);
  if (entries.length > 0 && !types.includes(want.content)) {
    // pvesm --content replaces the list, so the fix repeats what the storage holds now.
    const fix = `pvesm set ${want.storage} --content ${[...types, want.content].join(',')}`;
    findings.push({ missing: `content ${want.content}`, path, neededFor: want.neededFor, fix });
  }
  const passed =
    findings.length === 0
      ? [`storage ${want.storage} holds content ${want.content} on ${nodes.join(', ')}`]
      : [];
  return { passed, findings };
}

function byPathThenMissing(a: PreflightFinding, b: PreflightFinding): number {
  return byPathThenPrivilege({ path: a.path, privilege: a.missing }, { path: b.path, privilege: b.missing });
}
