import { runPlatformAction } from './platform.js';

/** The main step of action-day2; its work is loaded once the inputs are read. */
export function runDay2Action(): Promise<void> {
  return runPlatformAction('day2', 'Day 2', async () => {
    const { day2Twin } = await import('../twin/day2.js');
    return (ctx, clusters, folder) => day2Twin(ctx, clusters, folder);
  });
}
