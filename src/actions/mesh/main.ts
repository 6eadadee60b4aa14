import { runMeshAction } from '../mesh.js';
await runMeshAction();
