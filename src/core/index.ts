export * from './errors.ts';
export * from './clock.ts';
export * from './types.ts';
export * from './duration.ts';
export * from './events.ts';
