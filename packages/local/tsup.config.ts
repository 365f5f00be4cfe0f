import { defineConfig, type Options } from 'tsup';

const noSourcesContent: Options['esbuildOptions'] = (options) => {
  options.sourcesContent = false;
};

export default defineConfig([
  {
    entry: ['src/index.ts', 'src/vitest-global-setup.ts', 'src/vitest.ts'],
    format: ['esm', 'cjs'],
    // one shared chunk in CommonJS too, so the entries give the same classes
    splitting: true,
    dts: true,
    sourcemap: true,
    // maps without the sources embedded: the tarball stays small; stack traces still name src lines
    esbuildOptions: noSourcesContent,
    clean: true,
    shims: true,
    target: 'node20',
    external: ['vitest'],
  },
  {
    entry: ['src/cli.ts'],
    format: ['esm'],
    sourcemap: true,
    // maps without the sources embedded: the tarball stays small; stack traces still name src lines
    esbuildOptions: noSourcesContent,
    clean: false,
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
