import { runCleanupPost } from '../cleanup.js';
await runCleanupPost();
