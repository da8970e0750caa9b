export * from './chip-family.ts';
export * from './esp-image.ts';
export * from './errors.ts';
export * from './release.ts';
