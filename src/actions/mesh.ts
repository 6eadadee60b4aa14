import { runPlatformAction } from './platform.js';

/** The main step of action-mesh; its work is loaded once the inputs are read. */
export function runMeshAction(): Promise<void> {
  return runPlatformAction('mesh', 'Cluster Mesh', async () => {
    const { meshTwin } = await import('../twin/mesh.js');
    return (ctx, clusters) => meshTwin(ctx, clusters);
  });
}
