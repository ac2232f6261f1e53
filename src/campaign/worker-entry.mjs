// Entry point of a campaign worker thread. Worker threads start with a fresh
// module loader, so TypeScript support (tsx) is registered here again before
// the worker's TypeScript module is imported.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
