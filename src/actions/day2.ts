import { day2Twin } from '../twin/day2.js';
import { runPlatformAction } from './platform.js';

/** The main step of action-day2. */
export function runDay2Action(): Promise<void> {
  return runPlatformAction('day2', 'Day 2', (ctx, clusters, folder) => day2Twin(ctx, clusters, folder));
}
