import { defineConfig, type Options } from 'tsup';

const noSourcesContent: Options['esbuildOptions'] = (options) => {
  options.sourcesContent = false;
};

export default defineConfig({
  entry: ['src/index.ts', 'src/lambda.ts'],
  format: ['esm', 'cjs'],
  splitting: true,
  dts: true,
  sourcemap: true,
  // maps without the sources embedded: the tarball stays small; stack traces still name src lines
  esbuildOptions: noSourcesContent,
  clean: true,
  target: 'node20',
});
