import * as cache from '@actions/cache';
import { errorMessage } from '../errors.js';

/**
 * Where verified downloads are kept between jobs and runners. A miss or a failure only costs a
 * download, so implementations report problems through `warn` instead of throwing.
 */
export interface DownloadCache {
  /** Puts the file saved under `key` back at `file`; false when there is none. */
  restore(key: string, file: string, warn: (line: string) => void): Promise<boolean>;
  save(key: string, file: string, warn: (line: string) => void): Promise<void>;
}

/**
 * The GitHub Actions cache. It needs the runner's cache service (ACTIONS_CACHE_URL or
 * ACTIONS_RESULTS_URL); without it, as on a developer's machine, every call is a miss.
 */
export const actionsDownloadCache: DownloadCache = {
  async restore(key, file, warn) {
    if (!cache.isFeatureAvailable()) return false;
    try {
      return (await cache.restoreCache([file], key)) !== undefined;
    } catch (error) {
      warn(`could not restore ${key} from the Actions cache: ${errorMessage(error)}`);
      return false;
    }
  },
  async save(key, file, warn) {
    if (!cache.isFeatureAvailable()) return;
    try {
      await cache.saveCache([file], key);
    } catch (error) {
      warn(`could not save ${key} to the Actions cache: ${errorMessage(error)}`);
    }
  },
};
