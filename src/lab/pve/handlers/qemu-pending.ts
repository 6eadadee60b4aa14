import type { ApiRequest, HandlerTable, LabContext } from './context.js';
import { ok, requireInt } from './context.js';
import { configDigest, loadVm, typedConfig } from './vm.js';

/** qemu-server Qemu.pm vm_pending: the current and pending values side by side. */
export const pendingHandlers: HandlerTable = {
  'GET /nodes/{node}/qemu/{vmid}/pending': readPending,
};

/** vm_pending masks the password; the pending one with a trailing space, exactly as qemu-server does. */
const MASKED = '**********';

interface PendingItem {
  key: string;
  value?: unknown;
  pending?: unknown;
  delete?: number;
}

/**
 * GuestHelpers::config_with_pending_array over load_config's hash: every current key (the
 * config's `digest` among them) with its pending value or delete flag, then keys that are only
 * pending, then deletions of keys that are not set. A delete marked `!` is forced: 2. Values are
 * typed as parse_vm_config types them (integers and booleans as numbers). PVE's order is a hash
 * order; the lab sorts by key.
 */
function readPending(lab: LabContext, req: ApiRequest) {
  const vm = loadVm(lab, req.params.node ?? '', requireInt(req.params, 'vmid'));
  const current = typedConfig(lab, vm.config);
  const pending = typedConfig(lab, vm.pending);
  if (current.cipassword !== undefined) current.cipassword = MASKED;
  if (pending.cipassword !== undefined) pending.cipassword = `${MASKED} `;
  current.digest = configDigest(vm);
  const deletes = new Map(
    vm.pendingDelete.map((entry) => [entry.replace(/^!/, ''), entry.startsWith('!') ? 2 : 1] as const),
  );
  const items: PendingItem[] = Object.keys(current)
    .sort()
    .map((key) => ({
      key,
      value: current[key],
      ...(pending[key] !== undefined ? { pending: pending[key] } : {}),
      ...(deletes.has(key) ? { delete: deletes.get(key) } : {}),
    }));
  for (const key of Object.keys(pending).sort()) {
    if (current[key] === undefined) items.push({ key, pending: pending[key] });
  }
  for (const [key, flag] of [...deletes].sort(([a], [b]) => a.localeCompare(b))) {
    if (current[key] === undefined) items.push({ key, delete: flag });
  }
  return ok(items);
}
