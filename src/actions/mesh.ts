import { meshTwin } from '../twin/mesh.js';
import { runPlatformAction } from './platform.js';

/** The main step of action-mesh. */
export function runMeshAction(): Promise<void> {
  return runPlatformAction('mesh', 'Cluster Mesh', (ctx, clusters) => meshTwin(ctx, clusters));
}
