import type { TargetConfig } from '../config/schema.js';
import { createInstagramAdapter } from './instagram/index.js';
import { createTelegramAdapter } from './telegram/index.js';
import { createTwitterAdapter } from './twitter/index.js';
import type { Adapter, AdapterDeps } from './types.js';

/** The one place that knows every platform: target config → its adapter. */
export function createAdapter(target: TargetConfig, deps: AdapterDeps): Adapter {
  switch (target.platform) {
    case 'telegram':
      return createTelegramAdapter(target, deps) as Adapter;
    case 'twitter':
      return createTwitterAdapter(target, deps) as Adapter;
    case 'instagram':
      return createInstagramAdapter(target, deps) as Adapter;
  }
}
