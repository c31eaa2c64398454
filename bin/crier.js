#!/usr/bin/env node
// Entry point for `npx crier`: runs the TypeScript sources through tsx, so a fresh
// clone needs no build step after `npm ci`.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
