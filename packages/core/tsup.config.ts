import { defineConfig, type Options } from 'tsup';

const noSourcesContent: Options['esbuildOptions'] = (options) => {
  options.sourcesContent = false;
};

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  // maps without the sources embedded: the tarball stays small; stack traces still name src lines
  esbuildOptions: noSourcesContent,
  clean: true,
  target: 'node20',
});
