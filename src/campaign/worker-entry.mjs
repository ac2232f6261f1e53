// Entry point of a campaign worker thread when the harness runs from its
// TypeScript sources. Worker threads start with a fresh module loader, so tsx
// is registered here again before the worker's TypeScript module is imported.
// The compiled package starts dist/src/campaign/worker.js directly instead
// (see campaign.ts); this file is not part of it.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
