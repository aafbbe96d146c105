// One lint configuration for the whole repository.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The layers of src/, lowest last: a module imports only from its own layer's folder and the layers below
// it (README.md, "Layout"). The modules at the top of src/ (errors, log, jsonrpc, version, hosts) are the
// base: they import none of the folders. Circles inside a folder are scripts/check-cycles.mjs.
const LAYERS = [
  ['cli'],
  ['doctor'],
  ['install'],
  ['aggregator'],
  ['backends'],
  ['auth'],
  ['refs'],
  ['secrets'],
  ['config'],
];
const layerRules = LAYERS.map(([folder], index) => {
  // doctor and install are one layer: neither imports the other.
  const above = LAYERS.slice(0, index)
    .flat()
    .concat(folder === 'doctor' ? ['install'] : []);
  return { folder, above };
}).filter(({ above }) => above.length > 0);

function forbid(folders, message) {
  const source = `^(?:\\.\\./)+(?:${folders.join('|')})/`;
  return {
    'no-restricted-imports': ['error', { patterns: [{ regex: source, message }] }],
    'no-restricted-syntax': [
      'error',
      // A selector's regex ends at the first "/": spell the slashes of the path as \x2F.
      { selector: `ImportExpression > Literal.source[value=/${source.replaceAll('/', '\\x2F')}/]`, message },
    ],
  };
}

// Small files with one responsibility and short functions (blank lines and comments not counted).
const SIZE_RULES = {
  'max-lines': ['error', { max: 300, skipBlankLines: true, skipComments: true }],
  'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bench/results/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // stdout belongs to JSON-RPC in `serve`: library code logs through src/log.ts (stderr) only.
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**'],
    rules: { 'no-console': 'error' },
  },
  ...layerRules.map(({ folder, above }) => ({
    files: [`src/${folder}/**/*.ts`],
    rules: forbid(
      above,
      `src/${folder} imports none of ${above.join(', ')} (above it or beside it): move what both need down a layer`,
    ),
  })),
  { files: ['src/**/*.ts'], rules: SIZE_RULES },
  {
    // The base modules at the top of src/ import no folder of src/.
    files: ['src/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ regex: '^\\./[^/]+/', message: 'the base modules of src/ import no folder of src/' }],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        setInterval: 'readonly',
        clearTimeout: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly',
        fetch: 'readonly',
        performance: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        setImmediate: 'readonly',
        clearInterval: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        queueMicrotask: 'readonly',
      },
    },
  },
);
