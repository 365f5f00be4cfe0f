import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/lambda.ts'],
  format: ['esm', 'cjs'],
  splitting: true,
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
});
