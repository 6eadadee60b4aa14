import { exportState, importState } from '../../state/transfer.js';
import type { StateStore } from '../../state/store.js';
import type { Parsed } from '../args.js';
import { didYouMean, parseCommandLine, requiredOption, stringOption, UsageError } from '../args.js';
import { connectWithLab } from '../connect.js';
import type { Io } from '../output.js';
import { STATE_OPTIONS, STATE_USAGE, stateDirOf, storeOf } from '../twin-context.js';
import { echoed } from '../../util/echo.js';

export const STATE_COMMAND_USAGE = `usage: twin state export --env TWIN --to FILE [--state-dir DIR] [--state-store local|doppler] [--lab DIR]
       twin state import --env TWIN --from FILE [--state-dir DIR] [--state-store local|doppler] [--lab DIR]
  Moves a twin's state (Talos secrets, talosconfig, kubeconfigs, mesh CA, its record) between stores, e.g.
  from a runner's local folder to Doppler, without rebuilding the twin. export writes every item to a new
  file (mode 0600; never to a terminal or a pipe; nothing is overwritten); import writes them into the store
  named, which must hold no other state of that twin. The file holds the twin's secrets: delete it once
  imported.
${STATE_USAGE}
  --lab DIR                  the embedded lab: its Doppler stand-in serves --state-store doppler`;

export const STATE_COMMAND_OPTIONS = {
  env: { type: 'string' },
  to: { type: 'string' },
  from: { type: 'string' },
  lab: { type: 'string' },
  ...STATE_OPTIONS,
} as const;

export async function stateCommand(args: string[], io: Io): Promise<number> {
  const parsed = parseCommandLine(args, STATE_COMMAND_OPTIONS, ['export|import'], STATE_COMMAND_USAGE);
  const action = parsed.positionals[0];
  if (action !== 'export' && action !== 'import') {
    throw new UsageError(
      `unknown state command ${echoed(action)}${didYouMean(action ?? '', ['export', 'import']) || ': use export or import'}\n${STATE_COMMAND_USAGE}`,
    );
  }
  const twin = requiredOption(parsed, 'env', STATE_COMMAND_USAGE);
  const store = await openStore(parsed);
  if (action === 'export') {
    if (stringOption(parsed, 'from') !== undefined)
      throw new UsageError('export takes --to FILE, not --from');
    const file = requiredOption(parsed, 'to', STATE_COMMAND_USAGE);
    const count = await exportState(store, twin, file, new Date());
    io.out(
      `exported ${count} item(s) of twin ${twin} from ${store.describe()} to ${file} (mode 0600). It holds ` +
        "the twin's secrets: keep it private and delete it once imported",
    );
    return 0;
  }
  if (stringOption(parsed, 'to') !== undefined) throw new UsageError('import takes --from FILE, not --to');
  const file = requiredOption(parsed, 'from', STATE_COMMAND_USAGE);
  const count = await importState(store, twin, file);
  io.out(
    `imported ${count} item(s) of twin ${twin} into ${store.describe()}; run every later command of this ` +
      `twin with this store, then delete ${file}`,
  );
  return 0;
}

/** The store named; --lab only to find the lab's Doppler stand-in (Proxmox is not asked). */
async function openStore(parsed: Parsed): Promise<StateStore> {
  const lab = stringOption(parsed, 'lab') === undefined ? undefined : (await connectWithLab(parsed)).lab;
  return storeOf(parsed, stateDirOf(parsed), lab);
}
