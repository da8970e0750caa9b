export * from './public-key.ts';
export * from './manifest-signature.ts';
export * from './release-trust.ts';
export * from './sign-manifest.ts';
