import { runProvisionPost } from '../cleanup.js';
await runProvisionPost();
