// Lint, including the layering rules of DESIGN.md: each runtime folder may import only what it may run.
import js from '@eslint/js'
import reactHooks from 'eslint-plugin-react-hooks'
import tseslint from 'typescript-eslint'

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto', 'http', 'https', 'net', 'worker_threads', 'url', 'util', 'events', 'stream']

const restrict = (patterns) => ['error', { patterns }]

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'test-results/**', '.electron-native/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{js,mjs}'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': restrict([
        { group: nodeBuiltins, message: 'The renderer is DOM only: no Node built-ins. Ask the host through the API contract.' },
        { group: ['electron', 'electron/*'], message: 'The renderer never imports electron: it talks through the API contract.' },
        { group: ['**/src-main/**', '**/src-engine/**', '**/src-preload/**'], message: 'The renderer imports only src-shared and its own files.' },
        { group: ['better-sqlite3', '@tensorflow/*', 'ws'], message: 'Host-side package in the renderer.' },
      ]),
    },
  },
  {
    files: ['src-shared/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict([
        { group: nodeBuiltins, message: 'src-shared is platform-neutral: no Node built-ins.' },
        { group: ['electron', 'electron/*', 'better-sqlite3', '@tensorflow/*', 'ws', 'react', 'react-dom', '@mui/*'], message: 'src-shared imports nothing platform-specific.' },
        { group: ['**/src-main/**', '**/src-engine/**', '**/src-renderer/**', '**/src-preload/**'], message: 'src-shared is the bottom layer: it imports nothing above it.' },
      ]),
    },
  },
  {
    files: ['src-engine/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict([
        { group: ['electron', 'electron/*'], message: 'src-engine is plain Node: it never imports electron.' },
        { group: ['**/src-main/**', '**/src-renderer/**', '**/src-preload/**'], message: 'src-engine imports only src-shared and its own files.' },
        { group: ['react', 'react-dom', '@mui/*'], message: 'src-engine has no UI.' },
      ]),
    },
  },
  {
    files: ['src-main/**/*.ts'],
    ignores: ['src-main/electron/**'],
    rules: {
      'no-restricted-imports': restrict([
        { group: ['electron', 'electron/*'], message: 'Only src-main/electron/ imports electron; the rest of src-main is plain Node.' },
        { group: ['**/src-renderer/**', '**/src-preload/**'], message: 'src-main does not import the renderer or the preload.' },
        { group: ['@tensorflow/*'], message: 'Tensors live in the engine child, not in the host process.' },
      ]),
    },
  },
  {
    files: ['src-preload/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict([
        { group: ['**/src-main/**', '**/src-engine/**', '**/src-renderer/**'], message: 'The preload only forwards the API port.' },
      ]),
    },
  },
)
