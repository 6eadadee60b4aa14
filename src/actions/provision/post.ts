import { runProvisionPost } from '../provision.js';
await runProvisionPost();
